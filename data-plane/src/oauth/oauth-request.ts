import type { IncomingHttpHeaders } from 'node:http';
import type { TenantContext } from '../tenancy/tenant-context.ts';

/**
 * What the back-channel OAuth code reads of a request: headers, the parsed
 * body, and the tenant and issuer it is served for. The core's request
 * (core/core-request.ts) is one.
 */
export interface OAuthRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  readonly tenant?: TenantContext | undefined;
  readonly issuer?: string | undefined;
  /** The client's address: the peer, or what the nearest trusted proxy saw (tenancy/client-address.ts). */
  readonly ip?: string | undefined;
}
