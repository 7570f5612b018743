import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { describeError } from '@tessera/shared/http/errors';
import type { HttpMetrics } from '@tessera/shared/observability/metrics';
import type { OAuthRequest } from '../oauth/oauth-request.ts';
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

/**
 * Returns a request listener that takes a request when it can serve all of
 * it itself — POST to a fast route, a form body with a Content-Length within
 * the limit, no content encoding, a tenant already cached and served — and
 * returns false otherwise, leaving the request untouched for fastify, which
 * then answers it (including every error the lane does not see) the usual way.
 * Everything the lane checks is decided on the headers, before the body is read.
 */
export function createFastLane(options: FastLaneOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { routes, index, origins, cache, metrics, log } = options;
  const suffixes = routes.map((r) => r.path);
  const taken = new Counter({
    name: 'tessera_data_plane_fast_lane_requests_total',
    help: 'Requests answered by the fast lane, ahead of fastify (also counted in the HTTP request metrics)',
    registers: [options.registry],
  });

  return (req, res) => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    // A cheap look at the path's end before any resolution; token requests carry no query.
    let route: FastRoute | undefined;
    for (let i = 0; i < suffixes.length; i++) {
      if (url.endsWith(suffixes[i]!)) {
        route = routes[i];
        break;
      }
    }
    if (!route || options.closing()) return false;
    const headers = req.headers;
    const type = headers['content-type'];
    const declared = headers['content-length'];
    if (type === undefined || declared === undefined || !FORM.test(type)) return false;
    if (headers['transfer-encoding'] !== undefined || headers['content-encoding'] !== undefined) return false;
    const length = Number(declared);
    if (!Number.isSafeInteger(length) || length > route.bodyLimit) return false;
    const resolution = resolveRequest({ url, headers, remoteAddress: req.socket.remoteAddress, encrypted: 'encrypted' in req.socket }, index, origins);
    if (!resolution.ok || resolution.url !== route.path) return false;
    const tenant = cache.peek(resolution.tid);
    if (!tenant || servingProblem(tenant)) return false;

    taken.inc();
    countIssuerRequest(resolution.tid, resolution.issuer); // what an issuer migration watches
    const exchange = new Exchange(res, route, resolution.tid, metrics, log);
    // The HTTP parser stops the body at Content-Length; 'end' comes only once all of it arrived.
    req.on('data', (chunk: Buffer) => exchange.chunks.push(chunk));
    req.once('error', () => res.destroy());
    req.once('end', () => exchange.serve(headers, tenant, resolution.issuer));
    return true;
  };
}

/**
 * One request the lane took, from its body to its answer. A class rather than
 * closures per request: fewer allocations on the hottest path there is.
 */
class Exchange {
  readonly chunks: Buffer[] = [];
  readonly #started = performance.now();

  constructor(
    readonly res: ServerResponse,
    readonly route: FastRoute,
    readonly tid: string,
    readonly metrics: HttpMetrics,
    readonly log: FastifyBaseLogger,
  ) {}

  serve(headers: IncomingMessage['headers'], tenant: TenantContext, issuer: string): void {
    let body: Record<string, string | string[]>;
    try {
      body = parseForm((this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks)).toString('utf8'));
    } catch (err) {
      return this.fail(err);
    }
    this.route
      .handle({ headers, body, tenant, issuer })
      .then(
        (result) => this.answer(200, result),
        (err: unknown) => this.fail(err),
      )
      .catch((err: unknown) => {
        this.log.error({ err }, 'could not answer a request');
        this.res.destroy();
      });
  }

  answer(statusCode: number, body: unknown, extra?: Record<string, string>): void {
    const json = JSON.stringify(body);
    this.res.writeHead(statusCode, { ...this.route.headers, ...extra, 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(json) });
    this.res.end(json);
    this.metrics.observe(this.tid, this.route.path, 'POST', statusCode, (performance.now() - this.#started) / 1000);
  }

  fail(err: unknown): void {
    const reply = describeError(err);
    if (reply.log === 'warn') this.log.warn({ err }, 'key store unavailable');
    if (reply.log === 'error') this.log.error({ err, method: 'POST', path: this.route.path }, 'unhandled error');
    this.answer(reply.statusCode, reply.body, reply.headers);
  }
}
