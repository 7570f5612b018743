import type { AnswerHeaders, CoreAnswer } from './core-answer.ts';
import type { AnyRequest, TenantRequest } from './core-request.ts';
import type { UsageMeter } from './usage-meter.ts';

/** What a step or policy knows of the route an exchange is on (core/route.ts has the rest). */
export interface RouteFacts {
  /** Endpoint and route, for logs (`token`, `client-registration.update`). */
  readonly name: string;
  /** Relative to the issuer, with `:name` parameters; also the metrics route label. */
  readonly path: string;
  /** false: a node-wide route (monitoring), served without a tenant. */
  readonly tenant: boolean;
  /** Whether browsers may call it cross-origin, and from where (core/policies/cors.ts); absent: never. */
  readonly cors?: CorsAccess;
}

/**
 * `open`: any origin (public documents: discovery, JWKS). `clients`: the
 * origins the tenant's clients registered in `allowed_cors_origins`, and
 * once the route knows its client, only that client's.
 */
export type CorsAccess = 'open' | 'clients';

/**
 * One request on its way through the pipeline: the request, the route it
 * matched, the state its steps hand on to each other (typed per route) and
 * the response headers steps added. One per request; steps are shared.
 */
export class Exchange<S = object, R extends AnyRequest = TenantRequest> implements UsageMeter {
  readonly request: R;
  readonly route: RouteFacts;
  /** What earlier steps found out (the authenticated client, the parsed parameters, …). */
  readonly state: S;
  /** The step now running: unexpected errors are logged with it. */
  step = '';
  /** Whether the policies' `before` (and the route's admission steps) have run. */
  admitted = false;
  #headers: AnswerHeaders | undefined;
  /** What the exchange used, as dimension, subject pairs (flat: no object per event); counted if it succeeds. */
  usage: (string | undefined)[] | undefined;

  constructor(request: R, route: RouteFacts) {
    this.request = request;
    this.route = route;
    this.state = {} as S;
  }

  /** Add a response header to whatever the request is answered with (an error too); Set-Cookie lines add up. */
  header(name: string, value: string | string[]): void {
    const headers = (this.#headers ??= {});
    const seen = headers[name];
    headers[name] = name === 'set-cookie' && seen !== undefined ? [...toList(seen), ...toList(value)] : value;
  }

  /** Record usage (core/usage-meter.ts): a push, never I/O. */
  meter(dimension: string, sub?: string): void {
    (this.usage ??= []).push(dimension, sub);
  }

  /** Headers added by steps go on the answer; the answer's own win, Set-Cookie lines add up. */
  applyHeaders(answer: CoreAnswer): void {
    const added = this.#headers;
    if (added === undefined) return;
    for (const name in added) {
      const own = answer.headers[name];
      if (own === undefined) answer.headers[name] = added[name]!;
      else if (name === 'set-cookie') answer.headers[name] = [...toList(added[name]!), ...toList(own)];
    }
  }
}

const toList = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
