import { loadSettings } from '@tessera/shared/settings';
import { describe, expect, it } from 'vitest';
import { billingAccountActivities } from '../../src/activities/billing-account.ts';
import type { ActivityDeps } from '../../src/activities/deps.ts';

/**
 * Billing off (docs/billing.md): a deployment with neither STRIPE_SECRET_KEY
 * nor STRIPE_API_BASE calls Stripe nowhere — provisioning's billing step and
 * deprovisioning's cancellation do nothing, and touch no row.
 */
describe('billing off', () => {
  it('is off only when neither a Stripe key nor a mock is configured', () => {
    expect(loadSettings({}).stripe.enabled).toBe(false);
    expect(loadSettings({ STRIPE_SECRET_KEY: 'sk_live_x' }).stripe.enabled).toBe(true);
    expect(loadSettings({ STRIPE_API_BASE: 'http://127.0.0.1:12111' }).stripe.enabled).toBe(true);
  });

  it('makes the billing steps of provisioning and deprovisioning do nothing', async () => {
    const untouchable = new Proxy(
      {},
      {
        get(_target, name) {
          throw new Error(`the database was used (${String(name)})`);
        },
      },
    );
    const activities = billingAccountActivities({ db: untouchable, billing: null } as unknown as ActivityDeps);
    await expect(activities.createBillingAccount({ tid: 't1', plan: 'free' })).resolves.toBeUndefined();
    await expect(activities.deleteBillingAccount({ tid: 't1' })).resolves.toBeUndefined();
  });
});
