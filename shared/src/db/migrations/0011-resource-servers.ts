import { type Kysely, sql } from 'kysely';

/**
 * A tenant's resource servers (APIs, docs/oauth.md "APIs and audiences"):
 * the identifier is the RFC 8707 `resource` / the tokens' `aud`, unique per
 * tenant; `id` is the short handle the management APIs address one by (an
 * identifier is a URI, too long and too awkward for a path segment).
 * `allowed_clients` null means every client of the tenant.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('resource_servers')
    .addColumn('tid', 'varchar(63)', (c) => c.notNull().references('tenants.tid').onDelete('cascade'))
    .addColumn('identifier', 'varchar(255)', (c) => c.notNull())
    .addColumn('id', 'varchar(40)', (c) => c.notNull())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('scopes', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('access_token', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('allowed_clients', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('resource_servers_pk', ['tid', 'identifier'])
    .addUniqueConstraint('resource_servers_id', ['tid', 'id'])
    .execute();
}
