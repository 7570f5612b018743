import type { Tenant } from '@tessera/shared/tenancy/tenant';

/** The API representation of a tenant (snake_case, ISO timestamps). */
export function tenantView(tenant: Tenant) {
  return {
    tid: tenant.tid,
    name: tenant.name,
    issuer: tenant.issuer,
    status: tenant.status,
    status_reason: tenant.statusReason,
    plan: tenant.plan,
    attrs: tenant.attrs,
    config: tenant.config as unknown as Record<string, unknown>,
    config_version: tenant.configVersion,
    aliases: tenant.aliases,
    created_at: tenant.createdAt.toISOString(),
    updated_at: tenant.updatedAt.toISOString(),
  };
}
