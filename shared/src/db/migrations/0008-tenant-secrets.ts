import { type Kysely, sql } from 'kysely';

/**
 * Secrets a tenant's plugins use (shared/src/plugins/tenant-secret-store.ts):
 * the webhook signing secret (`webhook`, generated) and values the tenant's
 * admin sets (an LDAP bind password). Sealed under the master key, bound to
 * tenant and name. A rotated value keeps its predecessor until
 * `previous_valid_until`, so receivers can switch over without a gap.
 * Not `tenant_secrets`: that table holds the provider's own per-tenant keys.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenant_plugin_secrets')
    .addColumn('tid', 'varchar(63)', (c) => c.notNull().references('tenants.tid').onDelete('cascade'))
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('previous_sealed', 'text')
    .addColumn('previous_valid_until', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('tenant_plugin_secrets_pk', ['tid', 'name'])
    .execute();
}
