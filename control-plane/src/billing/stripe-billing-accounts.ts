import type Stripe from 'stripe';
import { type BillingAccountPort, BillingProviderError, type PlanPrices } from './billing-account-port.ts';

/** Stripe's errors that may pass if asked again: the network, Stripe itself, a rate limit. */
const RETRYABLE = new Set([
  'StripeConnectionError',
  'StripeAPIError',
  'StripeRateLimitError',
  'StripeLockTimeoutError',
]);

function providerError(what: string, err: unknown): BillingProviderError {
  const type = (err as { type?: unknown }).type;
  const message = err instanceof Error ? err.message : String(err);
  return new BillingProviderError(`Stripe: ${what} failed: ${message}`, {
    retryable: typeof type !== 'string' || RETRYABLE.has(type),
    cause: err,
  });
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw providerError(what, err);
  }
}

/** The billing port on the official SDK (createStripe): customers and subscriptions, each write with its idempotency key. */
export function stripeBillingAccounts(stripe: Stripe): BillingAccountPort {
  return {
    async ensureCustomer({ tid, name, idempotencyKey }) {
      const customer = await call('creating the customer', () =>
        stripe.customers.create({ name, metadata: { tid } }, { idempotencyKey }),
      );
      return { customerId: customer.id };
    },

    async ensureSubscription({ tid, customerId, prices, idempotencyKey }) {
      const subscription = await call('creating the subscription', () =>
        stripe.subscriptions.create(
          { customer: customerId, items: prices.map((price) => ({ price })), metadata: { tid } },
          { idempotencyKey },
        ),
      );
      return { subscriptionId: subscription.id, status: subscription.status };
    },

    async changePlan({ tid, subscriptionId, from, to, idempotencyKey }) {
      const current = await call('reading the subscription', () => stripe.subscriptions.retrieve(subscriptionId));
      const items = itemChanges(
        current.items.data.map((i) => ({ id: i.id, price: i.price.id })),
        from,
        to,
      );
      const updated = await call('changing the plan', () =>
        stripe.subscriptions.update(
          subscriptionId,
          { items, proration_behavior: 'create_prorations', metadata: { tid } },
          { idempotencyKey },
        ),
      );
      return { status: updated.status };
    },

    async cancelSubscription({ subscriptionId, idempotencyKey }) {
      try {
        await stripe.subscriptions.cancel(subscriptionId, {}, { idempotencyKey });
      } catch (err) {
        // Already cancelled (or gone): what we wanted.
        if ((err as { statusCode?: number }).statusCode === 404) return;
        const current = await stripe.subscriptions.retrieve(subscriptionId).catch(() => undefined);
        if (current?.status === 'canceled') return;
        throw providerError('cancelling the subscription', err);
      }
    },
  };
}

/**
 * The item changes that move a subscription from one plan's prices to
 * another's. The flat item is the one on the old flat price, or else the one
 * item that is not one of the old plan's metered prices (a price since
 * replaced in Stripe's dashboard): it changes price in place, which Stripe
 * prorates as a plan change.
 */
export function itemChanges(
  items: readonly { id: string; price: string }[],
  from: PlanPrices,
  to: PlanPrices,
): Stripe.SubscriptionUpdateParams.Item[] {
  const unmetered = items.filter((i) => !from.metered.includes(i.price));
  const flat =
    items.find((i) => from.flat !== null && i.price === from.flat) ??
    (unmetered.length === 1 ? unmetered[0] : undefined);
  const changes: Stripe.SubscriptionUpdateParams.Item[] = [];
  if (flat && to.flat && flat.price !== to.flat) changes.push({ id: flat.id, price: to.flat });
  if (flat && !to.flat) changes.push({ id: flat.id, deleted: true });
  if (!flat && to.flat) changes.push({ price: to.flat });
  for (const item of items)
    if (item !== flat && from.metered.includes(item.price) && !to.metered.includes(item.price))
      changes.push({ id: item.id, deleted: true });
  for (const price of to.metered) if (!items.some((i) => i.price === price)) changes.push({ price });
  return changes;
}
