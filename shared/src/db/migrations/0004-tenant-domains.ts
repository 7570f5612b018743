import { type Kysely, sql } from 'kysely';

/**
 * Custom hosts a tenant has asked for, with the challenge that proves it
 * controls them (a DNS TXT record or an HTTP resource). A tenant-scoped admin
 * token may put issuers on a host outside the platform's only once verified.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenant_domains')
    .addColumn('tid', 'varchar(63)', (c) => c.notNull().references('tenants.tid').onDelete('cascade'))
    // host[:port] as in an issuer URL, lower case.
    .addColumn('host', 'varchar(300)', (c) => c.notNull())
    // The last path segment of the HTTP challenge URL.
    .addColumn('challenge_token', 'varchar(64)', (c) => c.notNull())
    // What the TXT record or the HTTP resource must hold: published by the tenant, so not a secret.
    .addColumn('challenge_value', 'varchar(64)', (c) => c.notNull())
    .addColumn('verified_at', 'timestamptz')
    .addColumn('verified_by', 'varchar(8)', (c) => c.check(sql`verified_by in ('dns', 'http')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('tenant_domains_pk', ['tid', 'host'])
    .execute();
}
