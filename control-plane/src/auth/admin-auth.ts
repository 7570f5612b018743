import { bearerToken, matchesAnyHash } from '@tessera/shared/http/api-token';
import { HttpError } from '@tessera/shared/http/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import '@tessera/shared/http/route-config';
import { type ConsoleTokens, isAccessTokenJwt } from '../console/console-tokens.ts';
import type { AdminClaims } from './admin-jwt.ts';
import type { AdminTokenDenylist } from './admin-token-denylist.ts';
import { type Role, requirePermission } from './permissions.ts';

/**
 * Who is calling: the operator key (every tenant), an admin JWT (scoped to
 * one tenant when `tid` is set), or a console member signed in at the
 * operator tenant (its access token; its role from `console_members`).
 */
export interface AdminPrincipal {
  kind: 'operator' | 'jwt' | 'console';
  /** What the caller may do (permissions.ts). */
  role: Role;
  /** The only tenant this caller may see or touch; null = every tenant. */
  tid: string | null;
  /** The admin JWT's id (`jti`): the audit log's `admin:<id>` (docs/audit.md). Absent for the operator key. */
  tokenId?: string;
  /** The console member's subject at the operator tenant: the audit log's `console:<sub>`. */
  sub?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    admin?: AdminPrincipal;
  }
}

const invalid = (description: string) =>
  new HttpError(401, 'invalid_token', description, { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });

/** Methods that change nothing (RFC 9110 §9.2.1): all a console viewer may use. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

interface AuthOptions {
  operatorKeySha256: readonly string[];
  denylist: AdminTokenDenylist;
  /** Console members' access tokens (absent: the control plane takes none). */
  consoleTokens?: ConsoleTokens;
  /** The operator tenant's tid (the console signs in there), if a console is set up. */
  operatorTenant?: () => Promise<string | undefined>;
}

/**
 * Bearer auth for the whole control plane (contract §5): the operator API key
 * (checked by SHA-256 against the configured hashes in constant time), an
 * admin JWT it issued and has not revoked, or a console member's access token
 * from the operator tenant. A tenant-scoped caller is refused (403) on any
 * route whose `:tid` names another tenant, every caller on a route whose
 * `permission` its role lacks, and a viewer on every unsafe method but the
 * routes marked `readOnly` (the config check: a POST that changes nothing).
 * With no operator hash configured every call is refused: a missing setting
 * never opens the API. Routes marked `public` or `ownCredentials` (metrics:
 * the monitoring token; the console's pages: their session) are left alone.
 */
export function installAdminAuth(app: FastifyInstance, options: AuthOptions): void {
  app.decorateRequest('admin', undefined);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (config?.public === true || config?.ownCredentials === true) return;
    request.admin = await authenticate(request, options);
    if (request.admin.role === 'viewer' && !SAFE_METHODS.has(request.method) && config?.readOnly !== true)
      throw new HttpError(403, 'forbidden', 'A console viewer may read but not change anything');
    const tid = (request.params as { tid?: unknown } | undefined)?.tid;
    if (typeof tid === 'string') requireTenantAccess(request, tid);
    if (config?.permission) requirePermission(request, config.permission);
    // Whoever changes the operator tenant (its users, API tokens, clients, config) can make itself a console owner.
    if (typeof tid === 'string' && !SAFE_METHODS.has(request.method) && options.operatorTenant) {
      if (tid === (await options.operatorTenant())) requirePermission(request, 'console:manage');
    }
  });
}

async function authenticate(
  request: FastifyRequest,
  { operatorKeySha256, denylist, consoleTokens }: AuthOptions,
): Promise<AdminPrincipal> {
  const token = bearerToken(request.headers.authorization);
  if (!token)
    throw new HttpError(401, 'missing_token', 'Bearer authentication is required', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  if (matchesAnyHash(token, operatorKeySha256)) return { kind: 'operator', role: 'operator', tid: null };
  if (token.split('.').length !== 3) throw invalid('The bearer token is not valid');
  if (consoleTokens && isAccessTokenJwt(token)) {
    const { member } = await consoleTokens.verify(token);
    return { kind: 'console', role: member.role, tid: member.tid, sub: member.sub };
  }
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
    throw new HttpError(
      403,
      'forbidden',
      request.admin?.kind === 'console'
        ? `This tenant administrator acts on tenant "${scope}" alone`
        : `This admin token is scoped to tenant "${scope}"`,
    );
}
