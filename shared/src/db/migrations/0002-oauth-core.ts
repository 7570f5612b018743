import { type Kysely, sql } from 'kysely';

/** Clients, long-lived authorisations, refresh tokens and the revocation journal. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('clients')
    .addColumn('tid', 'varchar(63)', (c) => c.notNull().references('tenants.tid').onDelete('cascade'))
    .addColumn('client_id', 'varchar(128)', (c) => c.notNull())
    // RFC 7591 metadata as registered (never the secret).
    .addColumn('metadata', 'jsonb', (c) => c.notNull())
    // The secret is needed back (client_secret_jwt is an HMAC key), so it is sealed, not hashed.
    .addColumn('secret_sealed', 'text')
    .addColumn('secret_expires_at', 'timestamptz')
    // Rollover: the previous secret stays valid for 30 minutes after a change.
    .addColumn('previous_secret_sealed', 'text')
    .addColumn('previous_secret_valid_until', 'timestamptz')
    .addColumn('registration_token_sha256', 'char(64)')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('clients_pk', ['tid', 'client_id'])
    .execute();

  await db.schema
    .createTable('authorizations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tid', 'varchar(63)', (c) => c.notNull().references('tenants.tid').onDelete('cascade'))
    .addColumn('sub', 'text', (c) => c.notNull())
    .addColumn('client_id', 'varchar(128)', (c) => c.notNull())
    // The authorisation record (scope, claims, audience, actor, token settings, data, …).
    .addColumn('record', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('authorizations_subject_client', ['tid', 'sub', 'client_id'])
    .execute();
  await db.schema.createIndex('authorizations_client_idx').on('authorizations').columns(['tid', 'client_id']).execute();

  await db.schema
    .createTable('refresh_tokens')
    // SHA-256 of the token: the token itself is never stored.
    .addColumn('token_sha256', 'char(64)', (c) => c.primaryKey())
    .addColumn('tid', 'varchar(63)', (c) => c.notNull().references('tenants.tid').onDelete('cascade'))
    .addColumn('authorization_id', 'uuid', (c) => c.notNull().references('authorizations.id').onDelete('cascade'))
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    // Set when a rotation replaced this token; it stays usable for the grace period after.
    .addColumn('rotated_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('refresh_tokens_authorization_idx')
    .on('refresh_tokens')
    .column('authorization_id')
    .execute();

  await db.schema
    .createTable('revocations')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('tid', 'varchar(63)', (c) => c.notNull().references('tenants.tid').onDelete('cascade'))
    .addColumn('sub', 'text')
    .addColumn('client_id', 'varchar(128)')
    .addColumn('actor', 'text')
    .addColumn('revoked_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('revocations_lookup_idx')
    .on('revocations')
    .columns(['tid', 'sub', 'client_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['revocations', 'refresh_tokens', 'authorizations', 'clients'])
    await db.schema.dropTable(table).ifExists().execute();
}
