import type { IncomingHttpHeaders } from 'node:http';
import type { ClientAuthInput } from '../../../src/client-auth/client-auth-method.ts';
import type { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import type { MemoryPlane } from './memory-plane.ts';

/**
 * What the authenticateClient step hands client authentication for a
 * request to the token endpoint: the headers, the form parameters, and the
 * audiences an assertion may name (the issuer and the endpoint's URL).
 */
export function clientAuthInput(
  plane: MemoryPlane,
  tenant: TenantContext,
  request: { headers?: IncomingHttpHeaders; params?: Record<string, string>; endpointPath?: string },
): ClientAuthInput {
  const issuer = tenant.tenant.issuer;
  const params = request.params ?? {};
  return {
    request: { headers: request.headers ?? {}, body: params, tenant, issuer, ip: '192.0.2.1' },
    params,
    audiences: [issuer, `${issuer}${request.endpointPath ?? '/token'}`],
    deps: plane.deps,
  };
}

/** An RFC 6749 §2.3.1 Basic header: id and secret form-urlencoded, joined by ":", base64. */
export function basicAuthorization(id: string, secret: string): string {
  const encode = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}
