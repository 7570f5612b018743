import { appendAudit } from '@tessera/shared/audit/audit-log';
import type { Database } from '@tessera/shared/db/schema';
import { type Kysely, sql } from 'kysely';

/**
 * Billing's use of the tenant status path (the same change as POST
 * …/{tid}/suspend and …/resume): an active tenant becomes suspended and the
 * account remembers that billing did it, so paying resumes only what billing
 * suspended, never a tenant the operator suspended. Run inside the
 * transaction that records the cause; the audit record (actor `system`) is
 * written in it too; the caller announces the change to the data-plane nodes
 * after the commit (publishTenantChange).
 */
export async function suspendForBilling(trx: Kysely<Database>, tid: string, reason: string): Promise<boolean> {
  const changed = await trx
    .updateTable('tenants')
    .set({ status: 'suspended', status_reason: `billing: ${reason}`, updated_at: sql<Date>`clock_timestamp()` })
    .where('tid', '=', tid)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (changed.numUpdatedRows === 0n) return false;
  await trx
    .updateTable('billing_accounts')
    .set({ suspended_by_billing: true, updated_at: sql`now()` })
    .where('tid', '=', tid)
    .execute();
  await appendAudit(trx, [
    { tid, actor: 'system', action: 'tenant.suspended', target: `tenant:${tid}`, details: { by: 'billing', reason } },
  ]);
  return true;
}

/** Resume a tenant billing suspended (and only then). */
export async function resumeFromBilling(trx: Kysely<Database>, tid: string): Promise<boolean> {
  const account = await trx
    .updateTable('billing_accounts')
    .set({ suspended_by_billing: false, updated_at: sql`now()` })
    .where('tid', '=', tid)
    .where('suspended_by_billing', '=', true)
    .executeTakeFirst();
  if (account.numUpdatedRows === 0n) return false;
  const changed = await trx
    .updateTable('tenants')
    .set({ status: 'active', status_reason: null, updated_at: sql<Date>`clock_timestamp()` })
    .where('tid', '=', tid)
    .where('status', '=', 'suspended')
    .executeTakeFirst();
  if (changed.numUpdatedRows === 0n) return false;
  await appendAudit(trx, [
    { tid, actor: 'system', action: 'tenant.resumed', target: `tenant:${tid}`, details: { by: 'billing' } },
  ]);
  return true;
}

/** The operator resumed the tenant: a later suspension of theirs is theirs, not for a payment to lift. */
export async function forgetBillingSuspension(db: Kysely<Database>, tid: string): Promise<void> {
  await db
    .updateTable('billing_accounts')
    .set({ suspended_by_billing: false, updated_at: sql`now()` })
    .where('tid', '=', tid)
    .where('suspended_by_billing', '=', true)
    .execute();
}
