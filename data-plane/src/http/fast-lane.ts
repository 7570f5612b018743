import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { describeError } from '@tessera/shared/http/errors';
import type { HttpMetrics } from '@tessera/shared/observability/metrics';
import type { OAuthRequest } from '../oauth/oauth-request.ts';
import { clientAddress } from '../tenancy/client-address.ts';
import type { ExternalOrigin } from '../tenancy/external-origin.ts';
import type { IssuerIndex } from '../tenancy/issuer-index.ts';
import { countIssuerRequest } from '../tenancy/issuer-requests.ts';
import { resolveRequest } from '../tenancy/resolve-request.ts';
import { servingProblem } from '../tenancy/resolve-tenant.ts';
import type { TenantCache } from '../tenancy/tenant-cache.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { parseForm } from './form-body.ts';

/**
 * A hot form-POST route (the token endpoint) answered before fastify sees the
 * request. Its handler is the same function the fastify route calls; only
 * the plumbing around it (body reading, routing, reply) is skipped, which is
 * most of a token request's cost once the signature is paid.
 */
export interface FastRoute {
  /** Issuer-relative path; the method is POST. */
  path: string;
  /** Largest body in bytes (the fastify route declares the same). */
  bodyLimit: number;
  /** Headers on every answer, success or error. */
  headers: Readonly<Record<string, string>>;
  /** A further look at the headers: false leaves the request to fastify (an answer the lane cannot give). */
  admits?(headers: IncomingHttpHeaders): boolean;
  /** The JSON answer; throw an HttpError to answer an error. */
  handle(request: OAuthRequest): Promise<unknown>;
}

export interface FastLaneOptions {
  routes: readonly FastRoute[];
  index: IssuerIndex;
  origins: ExternalOrigin;
  cache: TenantCache;
  metrics: HttpMetrics;
  /** Where the lane's own counter (requests it took) is registered. */
  registry: Registry;
  log: FastifyBaseLogger;
  /** True once the server is closing: fastify then answers (503). */
  closing(): boolean;
}

const FORM = /^application\/x-www-form-urlencoded\s*(;|$)/i;
const JSON_TYPE = 'application/json; charset=utf-8';

/** A request the lane took: its route, tenant and issuer, decided on the headers alone. */
export interface Admission {
  route: FastRoute;
  tid: string;
  issuer: string;
  tenant: TenantContext;
  headers: IncomingHttpHeaders;
  /** The client's address, read as fastify reads `request.ip`. */
  ip: string;
}

/** How an answer leaves: through a node:http response, or straight onto the socket (http/wire-lane.ts). */
export interface LaneReply {
  /** `headers` are the route's own; content type and length are the reply's business. */
  send(statusCode: number, headers: Readonly<Record<string, string>>, extra: Readonly<Record<string, string>> | undefined, json: string): void;
  /** The answer could not be made at all. */
  destroy(): void;
}

/**
 * Takes a request when it can serve all of it itself — POST to a fast route,
 * a form body with a Content-Length within the limit, no content encoding, a
 * tenant already cached and served — and leaves it untouched otherwise, for
 * fastify to answer (including every error the lane does not see) the usual
 * way. Everything the lane checks is decided on the headers, before the body
 * is read. Two transports feed it: node:http requests (`listener`) and the
 * wire lane's own parser (http/wire-lane.ts).
 */
export class FastLane {
  readonly #options: FastLaneOptions;
  readonly #suffixes: string[];
  /** Requests taken since the last scrape; prom-client's counter is brought up to date when scraped. */
  #taken = 0;
  readonly #trusted: (address: string) => boolean;

  constructor(options: FastLaneOptions) {
    this.#options = options;
    this.#suffixes = options.routes.map((r) => r.path);
    this.#trusted = (address) => options.origins.isTrusted(address);
    const lane = this;
    new Counter({
      name: 'tessera_data_plane_fast_lane_requests_total',
      help: 'Requests answered by the fast lane, ahead of fastify (also counted in the HTTP request metrics)',
      registers: [options.registry],
      collect() {
        this.inc(lane.#taken);
        lane.#taken = 0;
      },
    });
  }

  /** True once the server is closing: fastify answers from then on (503). */
  get closing(): boolean {
    return this.#options.closing();
  }

  /** The lane's decision on a POST's target and headers; undefined leaves the request to fastify. */
  admit(url: string, headers: IncomingHttpHeaders, remoteAddress: string | undefined, encrypted: boolean): Admission | undefined {
    // A cheap look at the path's end before any resolution; token requests carry no query.
    let route: FastRoute | undefined;
    const suffixes = this.#suffixes;
    for (let i = 0; i < suffixes.length; i++) {
      if (url.endsWith(suffixes[i]!)) {
        route = this.#options.routes[i];
        break;
      }
    }
    if (!route || this.#options.closing()) return undefined;
    if (route.admits && !route.admits(headers)) return undefined;
    const type = headers['content-type'];
    const declared = headers['content-length'];
    if (type === undefined || declared === undefined || !FORM.test(type)) return undefined;
    if (headers['transfer-encoding'] !== undefined || headers['content-encoding'] !== undefined) return undefined;
    const length = Number(declared);
    if (!Number.isSafeInteger(length) || length > route.bodyLimit) return undefined;
    const { index, origins, cache } = this.#options;
    const resolution = resolveRequest({ url, headers, remoteAddress, encrypted }, index, origins);
    if (!resolution.ok || resolution.url !== route.path) return undefined;
    const tenant = cache.peek(resolution.tid);
    if (!tenant || servingProblem(tenant)) return undefined;
    this.#taken++;
    countIssuerRequest(resolution.tid, resolution.issuer); // what an issuer migration watches
    return { route, tid: resolution.tid, issuer: resolution.issuer, tenant, headers, ip: clientAddress(headers, remoteAddress, this.#trusted) };
  }

  /** Answers an admitted request whose whole body is `body`. */
  serve(admission: Admission, body: Buffer, reply: LaneReply): void {
    new Exchange(admission, reply, this.#options.metrics, this.#options.log).serve(body);
  }

  /** The node:http transport: true if the lane took the request (and will answer it). */
  readonly listener = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'POST') return false;
    const admission = this.admit(req.url ?? '', req.headers, req.socket.remoteAddress, 'encrypted' in req.socket);
    if (!admission) return false;
    const pending = new PendingBody(this, admission, res);
    // The HTTP parser stops the body at Content-Length; 'end' comes only once all of it arrived.
    req.on('data', pending.add);
    req.once('error', () => res.destroy());
    req.once('end', pending.done);
    return true;
  };
}

/** A node:http request's body on its way in, then its answer through the ServerResponse. */
class PendingBody implements LaneReply {
  readonly #chunks: Buffer[] = [];

  constructor(
    readonly lane: FastLane,
    readonly admission: Admission,
    readonly res: ServerResponse,
  ) {}

  readonly add = (chunk: Buffer): void => {
    this.#chunks.push(chunk);
  };

  readonly done = (): void => {
    const chunks = this.#chunks;
    this.lane.serve(this.admission, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), this);
  };

  send(statusCode: number, headers: Readonly<Record<string, string>>, extra: Readonly<Record<string, string>> | undefined, json: string): void {
    this.res.writeHead(statusCode, { ...headers, ...extra, 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(json) });
    this.res.end(json);
  }

  destroy(): void {
    this.res.destroy();
  }
}

/**
 * One request the lane took, from its body to its answer. A class rather than
 * closures per request: fewer allocations on the hottest path there is.
 */
class Exchange {
  readonly #started = performance.now();

  constructor(
    readonly admission: Admission,
    readonly reply: LaneReply,
    readonly metrics: HttpMetrics,
    readonly log: FastifyBaseLogger,
  ) {}

  serve(raw: Buffer): void {
    const { route, headers, tenant, issuer, ip } = this.admission;
    let body: Record<string, string | string[]>;
    try {
      body = parseForm(raw.toString('utf8'));
    } catch (err) {
      return this.fail(err);
    }
    route
      .handle({ headers, body, tenant, issuer, ip })
      .then(
        (result) => this.answer(200, result),
        (err: unknown) => this.fail(err),
      )
      .catch((err: unknown) => {
        this.log.error({ err }, 'could not answer a request');
        this.reply.destroy();
      });
  }

  answer(statusCode: number, body: unknown, extra?: Record<string, string>): void {
    const { route, tid } = this.admission;
    this.reply.send(statusCode, route.headers, extra, JSON.stringify(body));
    this.metrics.observe(tid, route.path, 'POST', statusCode, (performance.now() - this.#started) / 1000);
  }

  fail(err: unknown): void {
    const reply = describeError(err);
    if (reply.log === 'warn') this.log.warn({ err }, 'key store unavailable');
    if (reply.log === 'error') this.log.error({ err, method: 'POST', path: this.admission.route.path }, 'unhandled error');
    this.answer(reply.statusCode, reply.body, reply.headers);
  }
}
