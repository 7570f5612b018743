import type { IncomingHttpHeaders } from 'node:http';
import type { Context } from '@opentelemetry/api';
import { requestTraceContext } from '@tessera/shared/observability/request-spans';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CoreRequest } from '../core/core-request.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';

/**
 * The core's view of a fastify request. A class (one shape for every
 * request) whose costlier members — the client address walks
 * X-Forwarded-For, the path is a slice — are computed when a step reads
 * them. Made on the headers (admission runs before the body is read), so
 * the body, query and parameters are read through to fastify's request.
 */
export class FastifyCoreRequest implements CoreRequest {
  readonly #request: FastifyRequest;
  readonly #reply: FastifyReply;
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly receivedAt: number;
  readonly tenant: TenantContext | undefined;
  readonly issuer: string | undefined;

  constructor(request: FastifyRequest, reply: FastifyReply) {
    this.#request = request;
    this.#reply = reply;
    this.id = request.id;
    this.method = request.method;
    // After tenant resolution (tenancy/resolve-tenant.ts) the URL is relative to the issuer.
    this.url = request.url;
    this.headers = request.headers;
    // elapsedTime is a duration on fastify's clock: the arrival on ours is now minus it.
    this.receivedAt = performance.now() - reply.elapsedTime;
    this.tenant = request.tenant;
    this.issuer = request.issuer;
  }

  get body(): unknown {
    return this.#request.body;
  }

  get query(): unknown {
    return this.#request.query;
  }

  get params(): Record<string, string> {
    return this.#request.params as Record<string, string>;
  }

  get path(): string {
    const q = this.url.indexOf('?');
    return q < 0 ? this.url : this.url.slice(0, q);
  }

  get ip(): string {
    return this.#request.ip;
  }

  /** Looked up when read: only traced steps read it, so nothing is done per request with tracing off. */
  get trace(): Context | undefined {
    return requestTraceContext(this.#request.raw);
  }

  onSent(listener: (bytes: number | undefined) => void): void {
    const reply = this.#reply;
    // 'close' comes once the answer is written, or the connection went first; fastify keeps its headers on the reply.
    reply.raw.once('close', () => {
      const length = reply.getHeader('content-length');
      listener(length === undefined ? undefined : Number(length));
    });
  }
}
