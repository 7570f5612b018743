import type { IncomingHttpHeaders } from 'node:http';
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
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly receivedAt: number;
  readonly tenant: TenantContext | undefined;
  readonly issuer: string | undefined;

  constructor(request: FastifyRequest, reply: FastifyReply) {
    this.#request = request;
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
}
