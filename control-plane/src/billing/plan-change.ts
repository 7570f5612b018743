import { findPlan } from '@tessera/shared/billing/plan-store';
import type { Db } from '@tessera/shared/db/database';
import { HttpError } from '@tessera/shared/http/errors';
import { type BillingAccountPort, BillingProviderError } from './billing-account-port.ts';
import { readBillingAccount, recordSubscription } from './billing-account-store.ts';
import { billingKeys } from './billing-keys.ts';
import { allPrices, planPrices } from './plan-prices.ts';

/**
 * Tell Stripe about a tenant's new plan before the tenant row changes
 * (PATCH /tenants/rest/v1/{tid}): the subscription's items move to the new
 * plan's prices with proration; a move to a plan without prices cancels the
 * subscription, and a move from one starts it. If Stripe refuses or cannot
 * be reached the answer is 502 `billing_failed` and nothing changed. The
 * idempotency key names the new plan and the tenant row's version, so the
 * SDK's own retries (and a concurrent identical request) make one change.
 * If the row then fails to change, the subscription already moved: Stripe's
 * `customer.subscription.updated` brings the tenant's plan along (stripe-events.ts).
 */
export async function changeBillingPlan(
  db: Db,
  billing: BillingAccountPort,
  tid: string,
  planId: string,
): Promise<void> {
  const tenant = await db
    .selectFrom('tenants')
    .select(['plan', 'updated_at'])
    .where('tid', '=', tid)
    .executeTakeFirst();
  if (!tenant || tenant.plan === planId) return;
  const account = await readBillingAccount(db, tid);
  // A tenant without a customer (provisioned before billing, or still provisioning) has nothing in Stripe to change.
  if (!account?.customerId) return;
  const [from, to] = await Promise.all([findPlan(db, tenant.plan), findPlan(db, planId)]);
  if (!to) return;
  const fromPrices = planPrices(from?.stripe ?? {});
  const toPrices = planPrices(to.stripe);
  const version = String(new Date(tenant.updated_at).getTime());
  try {
    if (account.subscriptionId && allPrices(toPrices).length === 0) {
      await billing.cancelSubscription({
        tid,
        subscriptionId: account.subscriptionId,
        idempotencyKey: billingKeys.cancel(tid, account.subscriptionId),
      });
      await recordSubscription(db, tid, null, 'canceled');
    } else if (account.subscriptionId) {
      const { status } = await billing.changePlan({
        tid,
        subscriptionId: account.subscriptionId,
        from: fromPrices,
        to: toPrices,
        idempotencyKey: billingKeys.planChange(tid, planId, version),
      });
      await recordSubscription(db, tid, account.subscriptionId, status);
    } else if (allPrices(toPrices).length > 0) {
      const { subscriptionId, status } = await billing.ensureSubscription({
        tid,
        customerId: account.customerId,
        prices: allPrices(toPrices),
        idempotencyKey: billingKeys.planSubscription(tid, planId, version),
      });
      await recordSubscription(db, tid, subscriptionId, status);
    }
  } catch (err) {
    if (!(err instanceof BillingProviderError)) throw err;
    throw new HttpError(
      502,
      'billing_failed',
      `Stripe did not take the change to plan "${planId}"; the tenant keeps its plan`,
      {
        cause: err,
      },
    );
  }
}
