import { type BillingAccountPort, BillingProviderError, type PlanPrices } from './billing-account-port.ts';

export interface InMemorySubscription {
  id: string;
  customerId: string;
  tid: string;
  prices: string[];
  status: string;
}

/**
 * The billing port in memory, for unit tests: it keeps customers and
 * subscriptions, answers a repeated idempotency key with the first answer (as
 * Stripe does), records every write, and fails the next calls on request.
 */
export class InMemoryBillingAccounts implements BillingAccountPort {
  readonly customers = new Map<string, { tid: string; name: string }>();
  readonly subscriptions = new Map<string, InMemorySubscription>();
  /** Every write asked for, in order (a repeated key included). */
  readonly writes: { op: string; idempotencyKey: string }[] = [];
  private readonly answers = new Map<string, unknown>();
  private failures = 0;
  private next = 0;

  /** The next `count` calls fail (retryable, as an outage would). */
  failNext(count = 1): void {
    this.failures = count;
  }

  private write<T>(op: string, idempotencyKey: string, make: () => T): T {
    if (this.failures > 0) {
      this.failures--;
      throw new BillingProviderError(`in-memory billing: ${op} failed`, { retryable: true });
    }
    this.writes.push({ op, idempotencyKey });
    if (this.answers.has(idempotencyKey)) return this.answers.get(idempotencyKey) as T;
    const answer = make();
    this.answers.set(idempotencyKey, answer);
    return answer;
  }

  async ensureCustomer(input: { tid: string; name: string; idempotencyKey: string }) {
    return this.write('customer', input.idempotencyKey, () => {
      const customerId = `cus_mem_${++this.next}`;
      this.customers.set(customerId, { tid: input.tid, name: input.name });
      return { customerId };
    });
  }

  async ensureSubscription(input: {
    tid: string;
    customerId: string;
    prices: readonly string[];
    idempotencyKey: string;
  }) {
    return this.write('subscription', input.idempotencyKey, () => {
      const subscriptionId = `sub_mem_${++this.next}`;
      this.subscriptions.set(subscriptionId, {
        id: subscriptionId,
        customerId: input.customerId,
        tid: input.tid,
        prices: [...input.prices],
        status: 'active',
      });
      return { subscriptionId, status: 'active' };
    });
  }

  async changePlan(input: {
    tid: string;
    subscriptionId: string;
    from: PlanPrices;
    to: PlanPrices;
    idempotencyKey: string;
  }) {
    return this.write('changePlan', input.idempotencyKey, () => {
      const sub = this.subscriptions.get(input.subscriptionId);
      if (!sub) throw new BillingProviderError(`no subscription ${input.subscriptionId}`, { retryable: false });
      sub.prices = [...(input.to.flat ? [input.to.flat] : []), ...input.to.metered];
      return { status: sub.status };
    });
  }

  async cancelSubscription(input: { tid: string; subscriptionId: string; idempotencyKey: string }) {
    this.write('cancel', input.idempotencyKey, () => {
      const sub = this.subscriptions.get(input.subscriptionId);
      if (sub) sub.status = 'canceled';
      return undefined;
    });
  }
}
