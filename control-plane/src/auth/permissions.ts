import { HttpError } from '@tessera/shared/http/errors';
import type { FastifyRequest } from 'fastify';

/**
 * Who the caller is, by credential:
 * - `operator`: the operator API key;
 * - `admin`: an admin JWT without `tid` (minted by the operator for a tool
 *   that should not hold the key itself);
 * - `tenant-admin`: an admin JWT scoped to one tenant.
 */
export type Role = 'operator' | 'admin' | 'tenant-admin';

/**
 * Actions beyond running one's own tenant. Everything else (reading a
 * tenant, its name and config, its API tokens, aliases and issuer
 * migrations, the config check) is open to every role, within its tenant.
 */
export type Permission =
  /** mint and revoke admin JWTs */
  | 'admin-tokens:manage'
  /** create a tenant (a tenant admin could otherwise re-create its tid after deletion) */
  | 'tenants:create'
  /** deprovision a tenant: irreversible, and frees its tid and issuers */
  | 'tenants:delete'
  /** suspend and resume */
  | 'tenants:suspend'
  /** change `plan` and `attrs`: the operator's commercial record of the tenant */
  | 'tenants:plan'
  /** create, replace or delete plans (the price list every tenant is held to; reading it is open) */
  | 'plans:manage';

const ALL: readonly Permission[] = [
  'admin-tokens:manage',
  'tenants:create',
  'tenants:delete',
  'tenants:suspend',
  'tenants:plan',
  'plans:manage',
];

export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  operator: new Set(ALL),
  // Minted by the operator, so it may do what the operator does, except mint or revoke a token (no self-renewal).
  admin: new Set(ALL.filter((p) => p !== 'admin-tokens:manage')),
  'tenant-admin': new Set(),
};

/** What a refusal says: the action, in words. */
const ACTION: Record<Permission, string> = {
  'admin-tokens:manage': 'mint or revoke admin tokens',
  'tenants:create': 'create tenants',
  'tenants:delete': 'delete tenants',
  'tenants:suspend': 'suspend or resume tenants',
  'tenants:plan': "change a tenant's plan or attrs",
  'plans:manage': 'change plans',
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Checked by the admin auth hook before the body is read: 403 unless the caller's role has it. */
    permission?: Permission;
  }
}

export const may = (role: Role, permission: Permission): boolean => ROLE_PERMISSIONS[role].has(permission);

const CREDENTIAL: Record<Role, string> = {
  operator: 'the operator key',
  admin: 'an unscoped admin token',
  'tenant-admin': 'a tenant-scoped admin token',
};

/** 403 `forbidden` unless the caller's role has `permission` (authenticated requests only). */
export function requirePermission(request: FastifyRequest, permission: Permission): void {
  const role = request.admin?.role;
  if (role !== undefined && may(role, permission)) return;
  const takes = (Object.keys(ROLE_PERMISSIONS) as Role[]).filter((r) => may(r, permission)).map((r) => CREDENTIAL[r]);
  const who = role ? CREDENTIAL[role] : 'this caller';
  throw new HttpError(
    403,
    'forbidden',
    `${who[0]!.toUpperCase()}${who.slice(1)} may not ${ACTION[permission]} (it takes ${takes.join(' or ')})`,
  );
}
