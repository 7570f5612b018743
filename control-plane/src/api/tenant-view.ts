import type { Tenant } from '@tessera/shared/tenancy/tenant';
import type { AdminPrincipal } from '../auth/admin-auth.ts';

/**
 * What a tenant administrator sees of a failure: the step that failed, not its message, which may carry
 * internal text (PKCS#11, PostgreSQL, Temporal). The operator (and its tools) see the whole reason.
 */
export function publicStatusReason(reason: string | null): string | null {
  if (reason === null) return null;
  const step = /^([A-Za-z][\w-]*): /.exec(reason)?.[1];
  return step ? `${step} failed; the operator has the details` : 'failed; the operator has the details';
}

/** The API representation of a tenant (snake_case, ISO timestamps), as the caller may see it. */
export function tenantView(tenant: Omit<Tenant, 'limits'>, viewer?: AdminPrincipal) {
  return {
    tid: tenant.tid,
    name: tenant.name,
    issuer: tenant.issuer,
    status: tenant.status,
    status_reason: viewer?.role === 'tenant-admin' ? publicStatusReason(tenant.statusReason) : tenant.statusReason,
    plan: tenant.plan,
    attrs: tenant.attrs,
    config: tenant.config as unknown as Record<string, unknown>,
    config_version: tenant.configVersion,
    aliases: tenant.aliases,
    created_at: tenant.createdAt.toISOString(),
    updated_at: tenant.updatedAt.toISOString(),
  };
}
