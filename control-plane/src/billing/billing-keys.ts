/**
 * Idempotency keys of Stripe writes, derived from the tenant and the step:
 * the same step asks again with the same key, so Stripe answers with what it
 * made the first time (for 24 hours; the ids recorded in billing_accounts
 * cover longer gaps).
 */
export const billingKeys = {
  customer: (tid: string) => `tessera:${tid}:provision:customer`,
  subscription: (tid: string) => `tessera:${tid}:provision:subscription`,
  /** A plan change: the new plan and the tenant row's version as read before the change (its updated_at). */
  planChange: (tid: string, plan: string, version: string) => `tessera:${tid}:plan:${plan}:${version}`,
  /** A subscription started by a plan change (the tenant had none): keyed like the change itself. */
  planSubscription: (tid: string, plan: string, version: string) =>
    `tessera:${tid}:plan:${plan}:${version}:subscription`,
  cancel: (tid: string, subscriptionId: string) => `tessera:${tid}:cancel:${subscriptionId}`,
};
