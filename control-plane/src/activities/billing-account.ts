import { ApplicationFailure } from '@temporalio/activity';
import { findPlan } from '@tessera/shared/billing/plan-store';
import { BillingProviderError } from '../billing/billing-account-port.ts';
import { readBillingAccount, recordCustomer, recordSubscription } from '../billing/billing-account-store.ts';
import { billingKeys } from '../billing/billing-keys.ts';
import { allPrices, planPrices } from '../billing/plan-prices.ts';
import type { ActivityDeps } from './deps.ts';

/** A request Stripe refused will be refused again: the step fails for good (and provisioning is undone). */
function failure(err: unknown): unknown {
  if (err instanceof BillingProviderError && !err.retryable)
    return ApplicationFailure.nonRetryable(err.message, 'billing_failed');
  return err;
}

/**
 * The billing step of provisioning and deprovisioning: the tenant's Stripe
 * customer (metadata.tid) and its subscription to the plan's prices (the flat
 * `stripe.price_id` and the metered prices). A plan without prices gets a
 * customer and no subscription. Each id is recorded in billing_accounts as
 * soon as Stripe answers, and a repeat skips what is recorded; a repeat after
 * Stripe answered but before the row was written asks again with the same
 * idempotency key and gets the same object back.
 */
export const billingAccountActivities = ({ db, billing }: ActivityDeps) => ({
  async createBillingAccount({ tid, plan: planId }: { tid: string; plan: string }): Promise<void> {
    if (billing === null) return; // billing is off (settings.stripe.enabled)
    const plan = await findPlan(db, planId);
    if (!plan) throw ApplicationFailure.nonRetryable(`unknown plan "${planId}"`, 'billing_failed');
    const tenant = await db.selectFrom('tenants').select('name').where('tid', '=', tid).executeTakeFirst();
    const account = await readBillingAccount(db, tid);
    try {
      let customerId = account?.customerId ?? null;
      if (!customerId) {
        ({ customerId } = await billing.ensureCustomer({
          tid,
          name: tenant?.name ?? tid,
          idempotencyKey: billingKeys.customer(tid),
        }));
        await recordCustomer(db, tid, customerId);
      }
      const prices = allPrices(planPrices(plan.stripe));
      if (prices.length === 0 || account?.subscriptionId) return;
      const subscription = await billing.ensureSubscription({
        tid,
        customerId,
        prices,
        idempotencyKey: billingKeys.subscription(tid),
      });
      await recordSubscription(db, tid, subscription.subscriptionId, subscription.status);
    } catch (err) {
      throw failure(err);
    }
  },

  /** Cancel the subscription (deprovisioning, or undoing a failed provisioning); the customer stays, with its invoices. */
  async deleteBillingAccount({ tid }: { tid: string }): Promise<void> {
    if (billing === null) return; // billing is off
    const account = await readBillingAccount(db, tid);
    if (!account?.subscriptionId) return;
    await billing.cancelSubscription({
      tid,
      subscriptionId: account.subscriptionId,
      idempotencyKey: billingKeys.cancel(tid, account.subscriptionId),
    });
    await recordSubscription(db, tid, null, 'canceled');
  },
});
