import { type Kysely, sql } from 'kysely';

/**
 * HSM modes (docs/keys.md "HSM modes"). `tenant_hsm_tokens.layout` says how
 * a tenant's keys sit on the HSM: `token` (its own token, PINs sealed here),
 * `pool` (a token the operator initialised, claimed from the pool; its PIN
 * stays in the deployment's configuration) or `shared` (the one shared
 * token; many tenants name the same label, so the label is unique only among
 * tenants' own tokens). `hsm_pool_members`: the pool's tokens and who holds
 * each; a claim is one conditional UPDATE, so two provisionings never get the
 * same token.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('tenant_hsm_tokens')
    .addColumn('layout', 'varchar(16)', (c) => c.notNull().defaultTo('token'))
    .execute();
  await sql`alter table tenant_hsm_tokens alter column so_pin_sealed drop not null`.execute(db);
  await sql`alter table tenant_hsm_tokens alter column user_pin_sealed drop not null`.execute(db);
  await sql`alter table tenant_hsm_tokens drop constraint tenant_hsm_tokens_label_key`.execute(db);
  await sql`create unique index tenant_hsm_tokens_label on tenant_hsm_tokens (label) where layout <> 'shared'`.execute(
    db,
  );
  await db.schema
    .createTable('hsm_pool_members')
    .addColumn('label', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('claimed_by', 'varchar(63)', (c) => c.unique())
    .addColumn('claimed_at', 'timestamptz')
    .addColumn('added_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('hsm_pool_members').ifExists().execute();
  await sql`drop index if exists tenant_hsm_tokens_label`.execute(db);
  await db.schema.alterTable('tenant_hsm_tokens').dropColumn('layout').execute();
}
