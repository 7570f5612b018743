import { type Kysely, sql } from 'kysely';

/**
 * The event outbox of control-plane changes (docs/events.md): an event is
 * inserted in the transaction of the change it announces (a key rotation),
 * so it exists exactly when the change does. The worker's relay takes
 * pending rows (`FOR UPDATE SKIP LOCKED`: several workers never take the
 * same row), audits them, queues their deliveries and sets `relayed_at`.
 * No foreign key to `tenants`: an event outlives a deleted tenant until it
 * is relayed. Relayed rows are kept a day, then deleted by the relay.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('event_outbox')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('tid', 'varchar(63)', (c) => c.notNull())
    .addColumn('type', 'varchar(100)', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor', 'varchar(300)')
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('relayed_at', 'timestamptz')
    .execute();
  // The relay's poll: pending rows, oldest first (ULIDs sort by time).
  await sql`create index event_outbox_pending on event_outbox (id) where relayed_at is null`.execute(db);
}
