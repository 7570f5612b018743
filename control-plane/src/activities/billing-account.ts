import type { ActivityDeps } from './deps.ts';

/**
 * The billing slot of provisioning and deprovisioning. Deliberately empty
 * until the billing issue fills it with the Stripe customer and
 * subscription (create-if-absent, keyed by tid); the workflows already call
 * it in the right place and compensate it, so that change touches only this file.
 */
export const billingAccountActivities = (_deps: ActivityDeps) => ({
  async createBillingAccount(_input: { tid: string; plan: string }): Promise<void> {},
  async deleteBillingAccount(_input: { tid: string }): Promise<void> {},
});
