/**
 * What the control plane asks of the payment provider for a tenant (Stripe
 * in production, stripe-billing-accounts.ts; in-memory-billing-accounts.ts
 * in unit tests). Every write carries an idempotency key derived from the
 * tenant and the step, so a retried Temporal activity or request repeats the
 * same write instead of making a second customer or subscription.
 */
export interface BillingAccountPort {
  /** Create the tenant's customer (metadata.tid = tid). */
  ensureCustomer(input: { tid: string; name: string; idempotencyKey: string }): Promise<{ customerId: string }>;
  /** Subscribe the customer to these prices (the plan's flat price first, then its metered ones). */
  ensureSubscription(input: {
    tid: string;
    customerId: string;
    prices: readonly string[];
    idempotencyKey: string;
  }): Promise<{ subscriptionId: string; status: string }>;
  /**
   * Move the subscription from one plan's prices to another's, prorated: the
   * flat item changes price in place, metered items no longer billed go, new ones come.
   */
  changePlan(input: {
    tid: string;
    subscriptionId: string;
    from: PlanPrices;
    to: PlanPrices;
    idempotencyKey: string;
  }): Promise<{ status: string }>;
  /** Cancel at once (deprovisioning, or a move to a plan without prices); cancelling a cancelled one is fine. */
  cancelSubscription(input: { tid: string; subscriptionId: string; idempotencyKey: string }): Promise<void>;
}

/** A plan's prices as the subscription carries them. */
export interface PlanPrices {
  /** The flat (licensed) price, if the plan has one. */
  flat: string | null;
  /** Metered prices (Billing Meters), one per billed metric. */
  metered: readonly string[];
}

/**
 * Stripe refused or could not be reached (callers answer 502; an activity
 * retries when `retryable`: an outage or a rate limit, not a refused request).
 */
export class BillingProviderError extends Error {
  readonly retryable: boolean;
  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BillingProviderError';
    this.retryable = options.retryable;
  }
}
