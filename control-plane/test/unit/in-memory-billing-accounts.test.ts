import { InMemoryBillingAccounts } from '@tessera/control-plane/billing/in-memory-billing-accounts';
import { describe, expect, it } from 'vitest';

describe('billing: the in-memory twin answers a repeated idempotency key as Stripe does', () => {
  it('makes one customer and one subscription however often a step asks with its key', async () => {
    const billing = new InMemoryBillingAccounts();
    const a = await billing.ensureCustomer({ tid: 't1', name: 'T', idempotencyKey: 'tessera:t1:provision:customer' });
    const b = await billing.ensureCustomer({ tid: 't1', name: 'T', idempotencyKey: 'tessera:t1:provision:customer' });
    expect(b).toEqual(a);
    expect(billing.customers.size).toBe(1);
    const sub = await billing.ensureSubscription({
      tid: 't1',
      customerId: a.customerId,
      prices: ['price_a'],
      idempotencyKey: 'tessera:t1:provision:subscription',
    });
    await billing.changePlan({
      tid: 't1',
      subscriptionId: sub.subscriptionId,
      from: { flat: 'price_a', metered: [] },
      to: { flat: 'price_b', metered: [] },
      idempotencyKey: 'tessera:t1:plan:b:1',
    });
    expect(billing.subscriptions.get(sub.subscriptionId)?.prices).toEqual(['price_b']);
    billing.failNext();
    await expect(
      billing.cancelSubscription({ tid: 't1', subscriptionId: sub.subscriptionId, idempotencyKey: 'k' }),
    ).rejects.toMatchObject({ retryable: true });
    expect(billing.subscriptions.get(sub.subscriptionId)?.status).toBe('active');
  });
});
