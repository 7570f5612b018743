import type { Db } from '@tessera/shared/db/database';
import { sql } from 'kysely';

type Executor = Db;

export interface BillingAccount {
  tid: string;
  customerId: string | null;
  subscriptionId: string | null;
  subscriptionStatus: string | null;
}

/** A tenant's Stripe ids as recorded (billing_accounts), or undefined before provisioning's billing step. */
export async function readBillingAccount(db: Executor, tid: string): Promise<BillingAccount | undefined> {
  const row = await db
    .selectFrom('billing_accounts')
    .select(['tid', 'stripe_customer_id', 'stripe_subscription_id', 'subscription_status'])
    .where('tid', '=', tid)
    .executeTakeFirst();
  return row
    ? {
        tid: row.tid,
        customerId: row.stripe_customer_id,
        subscriptionId: row.stripe_subscription_id,
        subscriptionStatus: row.subscription_status,
      }
    : undefined;
}

/** Record the customer (a row per tenant, made here). */
export async function recordCustomer(db: Executor, tid: string, customerId: string): Promise<void> {
  await db
    .insertInto('billing_accounts')
    .values({ tid, stripe_customer_id: customerId, created_at: sql`now()`, updated_at: sql`now()` })
    .onConflict((c) => c.column('tid').doUpdateSet({ stripe_customer_id: customerId, updated_at: sql`now()` }))
    .execute();
}

/** Record the subscription and its status; `null` when the tenant no longer has one. */
export async function recordSubscription(
  db: Executor,
  tid: string,
  subscriptionId: string | null,
  status: string | null,
): Promise<void> {
  await db
    .updateTable('billing_accounts')
    .set({ stripe_subscription_id: subscriptionId, subscription_status: status, updated_at: sql`now()` })
    .where('tid', '=', tid)
    .execute();
}
