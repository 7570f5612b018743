import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerToken, matchesAnyHash } from '@tessera/shared/http/api-token';
import { HttpError } from '@tessera/shared/http/errors';
import '@tessera/shared/http/route-config';
import type { AdminClaims } from './admin-jwt.ts';

/** Who is calling: the operator key (every tenant) or an admin JWT, scoped to one tenant when `tid` is set. */
export interface AdminPrincipal {
  kind: 'operator' | 'jwt';
  /** The only tenant this caller may see or touch; null = every tenant. */
  tid: string | null;
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
 * admin JWT it issued. A tenant-scoped JWT is refused (403) on any route
 * whose `:tid` names another tenant. With no operator hash configured every
 * call is refused: a missing setting never opens the API.
 */
export function installAdminAuth(app: FastifyInstance, operatorKeySha256: readonly string[]): void {
  app.decorateRequest('admin', undefined);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.public === true) return;
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new HttpError(401, 'missing_token', 'Bearer authentication is required', { headers: { 'www-authenticate': 'Bearer' } });
    if (matchesAnyHash(token, operatorKeySha256)) {
      request.admin = { kind: 'operator', tid: null };
    } else if (token.split('.').length === 3) {
      let claims: AdminClaims;
      try {
        claims = await request.jwtVerify<AdminClaims>();
      } catch (err) {
        const expired = (err as { code?: string }).code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED';
        throw invalid(expired ? 'The admin token has expired' : 'The bearer token is not valid');
      }
      request.admin = { kind: 'jwt', tid: typeof claims.tid === 'string' ? claims.tid : null };
    } else {
      throw invalid('The bearer token is not valid');
    }
    const tid = (request.params as { tid?: unknown } | undefined)?.tid;
    if (typeof tid === 'string') requireTenantAccess(request, tid);
  });
}

/** 403 unless the caller may act on tenant `tid`. */
export function requireTenantAccess(request: FastifyRequest, tid: string): void {
  const scope = request.admin?.tid ?? null;
  if (scope !== null && scope !== tid) throw new HttpError(403, 'forbidden', `This admin token is scoped to tenant "${scope}"`);
}

/** 403 unless the caller holds the operator key itself (e.g. to mint admin tokens). */
export function requireOperatorKey(request: FastifyRequest): void {
  if (request.admin?.kind !== 'operator') throw new HttpError(403, 'forbidden', 'Only the operator API key may do this');
}
