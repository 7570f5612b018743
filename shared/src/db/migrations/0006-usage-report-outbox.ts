import type { Kysely } from 'kysely';

/**
 * A usage report is written down before it is sent (docs/billing.md): the
 * total it will bring Stripe to and its key. A report whose send or commit
 * was lost is sent again, the same, before anything newer; without this a
 * report that reached Stripe but not the database was sent again inside a
 * larger one under a new key, and billed twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('usage_reports')
    .addColumn('pending_quantity', 'bigint')
    .addColumn('pending_key', 'varchar(255)')
    .execute();
}
