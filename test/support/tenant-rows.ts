import type { Db } from '@tessera/shared/db/database';

const TABLES = [
  'tenants',
  'tenant_configs',
  'issuer_aliases',
  'tenant_keys',
  'tenant_hsm_tokens',
  'tenant_secrets',
  'tenant_api_tokens',
  'clients',
  'authorizations',
  'refresh_tokens',
  'revocations',
] as const;

/** Row counts of one tenant in every table that has a `tid`. */
export async function tenantRows(db: Db, tid: string): Promise<Record<(typeof TABLES)[number], number>> {
  const counts = await Promise.all(
    TABLES.map(async (table) => {
      const row = await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('tid', '=', tid)
        .executeTakeFirstOrThrow();
      return [table, Number(row.n)] as const;
    }),
  );
  return Object.fromEntries(counts) as Record<(typeof TABLES)[number], number>;
}

/** A bare active tenant row (and its config row unless `config: false`), for tests of stores and key stores. */
export async function insertTenantRow(db: Db, tid: string, options: { config?: boolean } = {}): Promise<void> {
  await db
    .insertInto('tenants')
    .values({
      tid,
      name: tid,
      issuer: `https://${tid}.example.com`,
      status: 'active',
      plan: 'free',
      attrs: '{}',
      config_version: 1,
      status_reason: null,
    })
    .execute();
  if (options.config !== false)
    await db.insertInto('tenant_configs').values({ tid, version: 1, config: '{}' }).execute();
}
