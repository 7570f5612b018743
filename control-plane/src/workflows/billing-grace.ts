import { sleep } from '@temporalio/workflow';
import { cleanups } from './activity-stubs.ts';
import type { BillingGraceInput } from './types.ts';

/**
 * One per tenant with an unpaid invoice (started by the Stripe webhook on
 * `invoice.payment_failed`): a durable timer until the grace period ends,
 * then the tenant is suspended unless it paid meanwhile. A grace period
 * pushed later (a new failure after a payment) is waited for in turn.
 */
export async function billingGrace(input: BillingGraceInput): Promise<{ suspended: boolean }> {
  const step = cleanups(input.timings);
  let until = input.graceUntilMs;
  for (;;) {
    const wait = until - Date.now();
    if (wait > 0) await sleep(wait);
    const result = await step.suspendAfterGrace({ tid: input.tid });
    if (result.waitUntilMs === null) return { suspended: result.suspended };
    until = result.waitUntilMs;
  }
}
