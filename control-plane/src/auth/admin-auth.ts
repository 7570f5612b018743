import { bearerToken, matchesAnyHash } from '@tessera/shared/http/api-token';
import { HttpError } from '@tessera/shared/http/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import '@tessera/shared/http/route-config';
import type { AdminClaims } from './admin-jwt.ts';
import type { AdminTokenDenylist } from './admin-token-denylist.ts';
import { type Role, requirePermission } from './permissions.ts';

/** Who is calling: the operator key (every tenant) or an admin JWT, scoped to one tenant when `tid` is set. */
export interface AdminPrincipal {
  kind: 'operator' | 'jwt';
  /** What the caller may do (permissions.ts). */
  role: Role;
  /** The only tenant this caller may see or touch; null = every tenant. */
  tid: string | null;
  /** The admin JWT's id (`jti`): the audit log's `admin:<id>` (docs/audit.md). Absent for the operator key. */
  tokenId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    admin?: AdminPrincipal;
  }
}

const invalid = (description: string) =>
  new HttpError(401, 'invalid_token', description, { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });

/**
 * Bearer auth for the whole control plane (contract §5): the operator API key
 * (checked by SHA-256 against the configured hashes in constant time) or an
 * admin JWT it issued and has not revoked. A tenant-scoped JWT is refused
 * (403) on any route whose `:tid` names another tenant, and every caller on a
 * route whose `permission` its role lacks. With no operator hash configured
 * every call is refused: a missing setting never opens the API. Routes marked
 * `public` or `ownCredentials` (metrics: the monitoring token) are left alone.
 */
export function installAdminAuth(
  app: FastifyInstance,
  options: { operatorKeySha256: readonly string[]; denylist: AdminTokenDenylist },
): void {
  app.decorateRequest('admin', undefined);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (config?.public === true || config?.ownCredentials === true) return;
    request.admin = await authenticate(request, options);
    const tid = (request.params as { tid?: unknown } | undefined)?.tid;
    if (typeof tid === 'string') requireTenantAccess(request, tid);
    if (config?.permission) requirePermission(request, config.permission);
  });
}

async function authenticate(
  request: FastifyRequest,
  { operatorKeySha256, denylist }: { operatorKeySha256: readonly string[]; denylist: AdminTokenDenylist },
): Promise<AdminPrincipal> {
  const token = bearerToken(request.headers.authorization);
  if (!token)
    throw new HttpError(401, 'missing_token', 'Bearer authentication is required', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  if (matchesAnyHash(token, operatorKeySha256)) return { kind: 'operator', role: 'operator', tid: null };
  if (token.split('.').length !== 3) throw invalid('The bearer token is not valid');
  let claims: AdminClaims;
  try {
    claims = await request.jwtVerify<AdminClaims>();
  } catch (err) {
    const expired = (err as { code?: string }).code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED';
    throw invalid(expired ? 'The admin token has expired' : 'The bearer token is not valid');
  }
  if (typeof claims.jti !== 'string') throw invalid('The bearer token is not valid');
  if (await denylist.isRevoked(claims.jti)) throw invalid('The admin token has been revoked');
  const tid = typeof claims.tid === 'string' ? claims.tid : null;
  return { kind: 'jwt', role: tid === null ? 'admin' : 'tenant-admin', tid, tokenId: claims.jti };
}

/** 403 unless the caller may act on tenant `tid`. */
export function requireTenantAccess(request: FastifyRequest, tid: string): void {
  const scope = request.admin?.tid ?? null;
  if (scope !== null && scope !== tid)
    throw new HttpError(403, 'forbidden', `This admin token is scoped to tenant "${scope}"`);
}
