import { HttpError } from '@tessera/shared/http/errors';
import type { FastifyRequest } from 'fastify';

/**
 * Who the caller is, by credential:
 * - `operator`: the operator API key;
 * - `admin`: an admin JWT without `tid` (minted by the operator for a tool
 *   that should not hold the key itself), or a console member with that role;
 * - `tenant-admin`: an admin JWT scoped to one tenant, or a console member
 *   held to one tenant;
 * - `owner`, `viewer`: console members (console/console-members.ts): the
 *   owner may do what the operator key does; a viewer reads and changes
 *   nothing (admin-auth.ts refuses its every unsafe method).
 */
export type Role = 'operator' | 'owner' | 'admin' | 'viewer' | 'tenant-admin';

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
  | 'plans:manage'
  /** the console's sign-in client and its members (who may use it, and as what) */
  | 'console:manage';

const ALL: readonly Permission[] = [
  'admin-tokens:manage',
  'tenants:create',
  'tenants:delete',
  'tenants:suspend',
  'tenants:plan',
  'plans:manage',
  'console:manage',
];

export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  operator: new Set(ALL),
  owner: new Set(ALL),
  // What the operator does, except mint or revoke admin tokens (no self-renewal) and choose who else may act.
  admin: new Set(ALL.filter((p) => p !== 'admin-tokens:manage' && p !== 'console:manage')),
  viewer: new Set(),
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
  'console:manage': 'manage the console and its members',
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Checked by the admin auth hook before the body is read: 403 unless the caller's role has it. */
    permission?: Permission;
    /** An unsafe method that changes nothing (the config check): a console viewer may call it. */
    readOnly?: boolean;
  }
}

export const may = (role: Role, permission: Permission): boolean => ROLE_PERMISSIONS[role].has(permission);

/** The API credentials, in words (the roles an admin JWT or the operator key carry). */
const CREDENTIAL: Partial<Record<Role, string>> = {
  operator: 'the operator key',
  admin: 'an unscoped admin token',
  'tenant-admin': 'a tenant-scoped admin token',
};
/** The console's roles, in words. */
const MEMBER: Partial<Record<Role, string>> = {
  owner: 'a console owner',
  admin: 'a console admin',
  viewer: 'a console viewer',
  'tenant-admin': 'a tenant administrator',
};

/** 403 `forbidden` unless the caller's role has `permission` (authenticated requests only); says who may instead. */
export function requirePermission(request: FastifyRequest, permission: Permission): void {
  const admin = request.admin;
  const role = admin?.role;
  if (role !== undefined && may(role, permission)) return;
  // A console member is told of console roles, an API credential of API credentials.
  const words = admin?.kind === 'console' ? MEMBER : CREDENTIAL;
  const takes = (Object.keys(ROLE_PERMISSIONS) as Role[])
    .filter((r) => may(r, permission) && words[r] !== undefined)
    .map((r) => words[r]!);
  const who = (role && words[role]) || 'this caller';
  throw new HttpError(
    403,
    'forbidden',
    `${who[0]!.toUpperCase()}${who.slice(1)} may not ${ACTION[permission]} (it takes ${takes.join(' or ')})`,
  );
}
