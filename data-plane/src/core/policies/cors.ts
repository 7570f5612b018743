import type { Client } from '@tessera/shared/clients/client';
import type { AnswerHeaders, CoreAnswer } from '../core-answer.ts';
import type { Policy, PolicyExchange } from '../policy.ts';
import { isPending } from '../step.ts';

/** The origins a tenant's clients registered (stores/cors-origin-cache.ts). */
export interface TenantCorsOrigins {
  /** Whether some client of the tenant registered `origin`; false when that cannot be told now (fail closed). */
  allows(tid: string, origin: string): boolean | Promise<boolean>;
}

/** What a browser app sends: a bearer or DPoP token, a form or JSON body, a DPoP proof. */
const ALLOW_HEADERS = 'authorization, content-type, dpop';
/** What it must read: the DPoP nonce to retry with (RFC 9449 §8), the challenge of a refused token (RFC 6750 §3). */
const EXPOSE_HEADERS = 'dpop-nonce, www-authenticate';
/** Seconds a browser may keep a preflight's answer: short, so a removed origin stops working soon. */
const MAX_AGE = '600';

/** A client's registered origins (the metadata check keeps them exact, so a string comparison suffices). */
const originsOf = (client: Client | null): readonly unknown[] => {
  const origins = client?.metadata.allowed_cors_origins;
  return Array.isArray(origins) ? origins : [];
};

function addVary(headers: AnswerHeaders, name: string): void {
  const vary = headers.vary;
  headers.vary = vary === undefined ? name : `${Array.isArray(vary) ? vary.join(', ') : vary}, ${name}`;
}

function allow(answer: CoreAnswer, origin: string, methods: string, preflight: boolean): void {
  const { headers } = answer;
  headers['access-control-allow-origin'] = origin;
  if (preflight) {
    headers['access-control-allow-methods'] = methods;
    headers['access-control-allow-headers'] = ALLOW_HEADERS;
    headers['access-control-max-age'] = MAX_AGE;
  } else headers['access-control-expose-headers'] = EXPOSE_HEADERS;
}

const isPreflight = (x: PolicyExchange): boolean =>
  x.request.method === 'OPTIONS' && x.request.headers['access-control-request-method'] !== undefined;

/**
 * Cross-origin calls from browser apps (docs/oauth.md "Browser apps and
 * CORS"), for the routes that declare `cors`. `open` routes (discovery,
 * JWKS) answer any origin with `*`. On `clients` routes (token, UserInfo,
 * revocation, device authorisation) an origin is answered only if a client
 * of this tenant registered it in `allowed_cors_origins` — all a preflight
 * can be judged by, since it carries no body and so no client — and, once
 * the route has identified its client (`state.client`: the authenticated
 * client, or the client of UserInfo's token), only if that client did.
 * Anything else gets no Access-Control headers at all, which the browser
 * enforces by hiding the answer. No credentials mode: nothing here uses
 * cookies.
 */
export function cors(origins: TenantCorsOrigins): Policy {
  /** The tenant-wide verdict for a request's origin, found in `before` (a look-up that may wait) for `after`. */
  const tenantAllows = new WeakMap<PolicyExchange, boolean>();
  return {
    name: 'cors',
    before(x) {
      const origin = x.request.headers.origin;
      const tenant = x.request.tenant;
      if (x.route.cors !== 'clients' || origin === undefined || tenant === undefined) return;
      const allowed = origins.allows(tenant.tenant.tid, origin);
      if (!isPending(allowed)) {
        tenantAllows.set(x, allowed);
        return;
      }
      return allowed.then((a) => {
        tenantAllows.set(x, a);
        return undefined;
      });
    },
    after(x, answer) {
      const access = x.route.cors;
      if (access === undefined) return;
      const preflight = isPreflight(x);
      if (access === 'open') {
        allow(answer, '*', 'GET', preflight);
        return;
      }
      addVary(answer.headers, 'origin');
      const origin = x.request.headers.origin;
      if (origin === undefined || tenantAllows.get(x) !== true) return;
      const client = (x.state as { client?: Client | null }).client;
      if (client !== undefined && !originsOf(client).includes(origin)) return;
      allow(answer, origin, 'GET, POST', preflight);
    },
  };
}
