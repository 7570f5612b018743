import type { IncomingHttpHeaders } from 'node:http';
import type { Context } from '@opentelemetry/api';
import type { TenantContext } from '../tenancy/tenant-context.ts';

/**
 * A request as the core sees it, whatever carried it: the transport
 * (fastify, http/fastify-adapter.ts) has routed it on the path relative to
 * the issuer, parsed and validated its body, query and route parameters, and
 * resolved its tenant.
 */
export interface CoreRequest<Body = unknown, Query = unknown, Params = Record<string, string>> {
  /** The transport's request id (for logs). */
  readonly id: string;
  readonly method: string;
  /** Path relative to the issuer, without the query (`/token`, `/clients/abc`). */
  readonly path: string;
  /** Path and query relative to the issuer, as sent (the front channel reads the raw query). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly query: Query;
  /** The parsed body (a form is an object of strings, a repeated name an array); undefined when there was none. */
  readonly body: Body;
  /** Route parameters (`:client_id`). */
  readonly params: Params;
  /** The client's address: the peer, or what the nearest trusted proxy saw. */
  readonly ip: string;
  /** When the request arrived, on the `performance.now()` clock (ms). */
  readonly receivedAt: number;
  /** The tenant and issuer the request is served for; absent on node-wide routes and on requests refused before resolution. */
  readonly tenant?: TenantContext | undefined;
  readonly issuer?: string | undefined;
  /** Call `listener` once the answer has been written, with its body length when known (the access log; absent: not told). */
  /** The request's trace context (its server span), when tracing is on. */
  readonly trace?: Context | undefined;
  onSent?(listener: (bytes: number | undefined) => void): void;
}

/** Any request, whatever its body, query and parameters were validated as. */
export type AnyRequest = CoreRequest<unknown, unknown, unknown>;

/** A request of a tenant route: the transport resolved its tenant and issuer before the route's steps run. */
export interface TenantRequest<Body = unknown, Query = unknown, Params = Record<string, string>>
  extends CoreRequest<Body, Query, Params> {
  readonly tenant: TenantContext;
  /** The issuer URL (primary or alias) the request is served under; goes into every `iss`. */
  readonly issuer: string;
}
