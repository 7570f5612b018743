import { type Kysely, sql } from 'kysely';

/** The built-in user directory: one row per user of a tenant. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('directory_users')
    .addColumn('tid', 'varchar(63)', (c) => c.notNull().references('tenants.tid').onDelete('cascade'))
    // The local subject identifier: what ID tokens carry (or what pairwise subjects are derived from).
    .addColumn('sub', 'varchar(255)', (c) => c.notNull())
    .addColumn('username', 'varchar(255)', (c) => c.notNull())
    // scrypt$N$r$p$salt$hash: never the password.
    .addColumn('password_hash', 'text', (c) => c.notNull())
    // OpenID Connect standard claims (and language-tagged variants such as name#fr).
    .addColumn('claims', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('directory_users_pk', ['tid', 'sub'])
    .addUniqueConstraint('directory_users_username', ['tid', 'username'])
    .execute();
}
