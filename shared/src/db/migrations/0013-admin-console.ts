import { type Kysely, sql } from 'kysely';

/**
 * The admin console (docs/console.md). `console_settings`: the one OpenID
 * Connect client the console signs in with (the operator tenant's issuer,
 * its client id, its secret sealed under the master key, and the audience
 * its access tokens carry). `console_members`: who may use the console and
 * as what — the control plane decides a caller's role from this table, by
 * the `sub` of the operator tenant's access token; a `tenant-admin` member
 * is held to one tenant.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('console_settings')
    .addColumn('id', 'varchar(63)', (c) => c.primaryKey())
    .addColumn('issuer', 'varchar(2048)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('client_secret_sealed', 'text', (c) => c.notNull())
    .addColumn('audience', 'varchar(2048)', (c) => c.notNull())
    .addColumn('console_url', 'varchar(2048)', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('console_members')
    .addColumn('sub', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('tid', 'varchar(63)')
    .addColumn('label', 'varchar(200)')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('console_members_role', sql`role in ('owner', 'admin', 'viewer', 'tenant-admin')`)
    // A tenant administrator always has its tenant; the operator roles never do.
    .addCheckConstraint('console_members_tid', sql`(role = 'tenant-admin') = (tid is not null)`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('console_members').ifExists().execute();
  await db.schema.dropTable('console_settings').ifExists().execute();
}
