import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { jwksEndpoint } from '../../../src/endpoints/jwks.ts';
import type { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import { answerBody, coreRequest, runRoute } from './core-request.ts';
import type { MemoryPlane } from './memory-plane.ts';

/** The tenant's JWK set as `/jwks.json` publishes it (the route's own steps). */
export async function publishedKeySet(plane: MemoryPlane, tenant: TenantContext): Promise<JSONWebKeySet> {
  const route = jwksEndpoint.routes(plane.deps)[0]!;
  const { answer } = await runRoute(route, coreRequest(tenant, { method: 'GET', path: '/jwks.json' }));
  return answerBody(answer) as unknown as JSONWebKeySet;
}

/**
 * Verify a JWS with the tenant's published keys, as a resource server or
 * relying party would: the kid in the header picks the key, the alg must be
 * the key's. Returns the header and the claims.
 */
export async function verifyWithPublishedKeys(plane: MemoryPlane, tenant: TenantContext, jws: string) {
  const keys = createLocalJWKSet(await publishedKeySet(plane, tenant));
  const { alg } = decodeProtectedHeader(jws);
  const { payload, protectedHeader } = await compactVerify(jws, keys, { algorithms: [alg!] });
  return {
    header: protectedHeader,
    claims: JSON.parse(Buffer.from(payload).toString('utf8')) as Record<string, unknown>,
  };
}
