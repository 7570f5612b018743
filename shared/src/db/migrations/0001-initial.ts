import { type Kysely, sql } from 'kysely';

/** Tenants, their issuer aliases, versioned configs, keys (metadata, HSM tokens, secrets) and API tokens. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('tid', 'varchar(63)', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('plan', 'varchar(40)', (c) => c.notNull().defaultTo('free'))
    .addColumn('attrs', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('config_version', 'integer', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'tenants_status_check',
      sql`status in ('provisioning','active','suspended','failed','deprovisioning')`,
    )
    .execute();
  await db.schema.createIndex('tenants_updated_at_idx').on('tenants').column('updated_at').execute();

  await db.schema
    .createTable('issuer_aliases')
    .addColumn('issuer', 'text', (c) => c.primaryKey())
    .addColumn('tid', 'varchar(63)', (c) => c.notNull().references('tenants.tid').onDelete('cascade'))
    .addColumn('mode', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('issuer_aliases_mode_check', sql`mode in ('MIGRATION','PERSISTED_GRANT_ISOLATION')`)
    .execute();
  await db.schema.createIndex('issuer_aliases_tid_idx').on('issuer_aliases').column('tid').execute();

  await db.schema
    .createTable('tenant_configs')
    .addColumn('tid', 'varchar(63)', (c) => c.notNull().references('tenants.tid').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('config', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('tenant_configs_pk', ['tid', 'version'])
    .execute();

  await db.schema
    .createTable('tenant_keys')
    .addColumn('tid', 'varchar(63)', (c) => c.notNull().references('tenants.tid').onDelete('cascade'))
    .addColumn('kid', 'varchar(128)', (c) => c.notNull())
    .addColumn('alg', 'varchar(16)', (c) => c.notNull())
    .addColumn('use', 'varchar(3)', (c) => c.notNull())
    .addColumn('backend', 'varchar(16)', (c) => c.notNull())
    .addColumn('public_jwk', 'jsonb', (c) => c.notNull())
    .addColumn('private_sealed', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('activated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('retired_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addPrimaryKeyConstraint('tenant_keys_pk', ['tid', 'kid'])
    .addCheckConstraint('tenant_keys_use_check', sql`use in ('sig','enc')`)
    .execute();

  // One PKCS#11 token per tenant on HSM-backed tenants; PINs sealed under the master key.
  // No foreign key: the row is written before the token is created, ahead of the
  // tenant's own row, so a crash in between is finished (or undone) from it.
  await db.schema
    .createTable('tenant_hsm_tokens')
    .addColumn('tid', 'varchar(63)', (c) => c.primaryKey())
    .addColumn('label', 'varchar(32)', (c) => c.notNull().unique())
    .addColumn('so_pin_sealed', 'text', (c) => c.notNull())
    .addColumn('user_pin_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Per-tenant secret (symmetric) keys: identifier HMAC, refresh-token and subject encryption, ...
  await db.schema
    .createTable('tenant_secrets')
    .addColumn('tid', 'varchar(63)', (c) => c.notNull().references('tenants.tid').onDelete('cascade'))
    .addColumn('purpose', 'varchar(40)', (c) => c.notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('tenant_secrets_pk', ['tid', 'purpose'])
    .execute();

  await db.schema
    .createTable('tenant_api_tokens')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tid', 'varchar(63)', (c) => c.notNull().references('tenants.tid').onDelete('cascade'))
    .addColumn('label', 'varchar(100)', (c) => c.notNull())
    .addColumn('token_sha256', 'char(64)', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('tenant_api_tokens_tid_idx').on('tenant_api_tokens').column('tid').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'tenant_secrets',
    'tenant_hsm_tokens',
    'tenant_api_tokens',
    'tenant_keys',
    'tenant_configs',
    'issuer_aliases',
    'tenants',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
