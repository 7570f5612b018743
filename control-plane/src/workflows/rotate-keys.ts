import { sleep } from '@temporalio/workflow';
import { steps } from './activity-stubs.ts';
import type { RotateKeysInput, RotateKeysResult } from './key-rotation-types.ts';

/** Slack for clocks of the worker, Postgres and Temporal not agreeing to the millisecond. */
const MARGIN_MS = 1000;

/**
 * One scheduled key rotation (see key-rotation-schedule.ts): pre-publication
 * (new keys in the JWK set, not yet signing) → activation after
 * `keys.prePublicationSeconds`, when the replaced keys retire → deletion of
 * the retired keys once every token they signed has expired (the longest of
 * the access- and ID-token lifetimes). Statuses follow from timestamps
 * (shared/src/keys/key-lifecycle.ts); the workflow sets them, waits them out
 * on durable timers, and tells data-plane nodes at each step.
 */
export async function rotateKeys(input: RotateKeysInput): Promise<RotateKeysResult> {
  const { tid, timings } = input;
  const step = steps(timings);
  const plan = await step.prePublishRotatedKeys({ tid, sinceMs: Date.now() });
  if (!plan) return { status: 'skipped' };
  await step.publishTenant({ tid });

  await sleep(Math.max(0, plan.activateAtMs - Date.now()) + MARGIN_MS);
  // The new keys sign now and the old ones are retired (timestamps); nodes reload to drop memoised key sets.
  await step.publishTenant({ tid });

  const deletedKids: string[] = [];
  let pending = plan.retiringKids;
  while (pending.length > 0) {
    const outcome = await step.deleteRetiredKeys({ tid, kids: pending });
    deletedKids.push(...outcome.deleted);
    if (outcome.deleted.length > 0) await step.publishTenant({ tid });
    pending = outcome.waiting.map((w) => w.kid);
    if (pending.length > 0)
      await sleep(Math.max(0, Math.max(...outcome.waiting.map((w) => w.safeAtMs)) - Date.now()) + MARGIN_MS);
  }
  return { status: 'rotated', newKids: plan.newKids, deletedKids };
}
