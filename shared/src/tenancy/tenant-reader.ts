import { parseTenantConfig } from '../config/validate-tenant-config.ts';
import type { Db } from '../db/database.ts';
import type { AliasMode } from '../db/schema.ts';
import type { Tenant } from './tenant.ts';

/** One entry of the issuer index: an issuer URL (primary or alias) and its tenant. */
export interface IssuerEntry {
  issuer: string;
  tid: string;
  mode: 'PRIMARY' | AliasMode;
}

function tenantQuery(db: Db) {
  return db
    .selectFrom('tenants')
    .innerJoin('tenant_configs', (j) =>
      j.onRef('tenant_configs.tid', '=', 'tenants.tid').onRef('tenant_configs.version', '=', 'tenants.config_version'),
    )
    .innerJoin('plans', 'plans.id', 'tenants.plan')
    .select([
      'plans.quotas',
      'plans.monthly_caps',
      'tenants.tid',
      'tenants.name',
      'tenants.issuer',
      'tenants.status',
      'tenants.status_reason',
      'tenants.plan',
      'tenants.attrs',
      'tenants.config_version',
      'tenants.created_at',
      'tenants.updated_at',
      'tenant_configs.config',
    ]);
}

/** Tenants in tid order, with their current config and aliases (two queries, whatever the page size). */
export async function loadTenants(db: Db, filter: { tid?: string; after?: string; limit?: number }): Promise<Tenant[]> {
  let query = tenantQuery(db).orderBy('tenants.tid');
  if (filter.tid !== undefined) query = query.where('tenants.tid', '=', filter.tid);
  if (filter.after !== undefined) query = query.where('tenants.tid', '>', filter.after);
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  const rows = await query.execute();
  if (rows.length === 0) return [];
  const aliases = await db
    .selectFrom('issuer_aliases')
    .select(['tid', 'issuer', 'mode'])
    .where(
      'tid',
      'in',
      rows.map((r) => r.tid),
    )
    .orderBy('issuer')
    .execute();
  return rows.map((row) => ({
    tid: row.tid,
    name: row.name,
    issuer: row.issuer,
    status: row.status,
    statusReason: row.status_reason,
    plan: row.plan,
    limits: { quotas: row.quotas, monthly_caps: row.monthly_caps ?? {} },
    attrs: row.attrs,
    configVersion: row.config_version,
    config: parseTenantConfig(row.config),
    aliases: aliases.filter((a) => a.tid === row.tid).map(({ issuer, mode }) => ({ issuer, mode })),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
}

export async function loadTenant(db: Db, tid: string): Promise<Tenant | undefined> {
  return (await loadTenants(db, { tid }))[0];
}

/** Every issuer URL and alias of one tenant (or of all tenants when tid is omitted). */
export async function loadIssuerEntries(db: Db, tid?: string): Promise<IssuerEntry[]> {
  let primaries = db.selectFrom('tenants').select(['issuer', 'tid']);
  let aliases = db.selectFrom('issuer_aliases').select(['issuer', 'tid', 'mode']);
  if (tid !== undefined) {
    primaries = primaries.where('tid', '=', tid);
    aliases = aliases.where('tid', '=', tid);
  }
  const [p, a] = await Promise.all([primaries.execute(), aliases.execute()]);
  return [...p.map((r) => ({ ...r, mode: 'PRIMARY' as const })), ...a];
}
