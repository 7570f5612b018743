import { type Client, ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
// The input type, not the workflow function: the workflow's module reaches the activities' types, which reach this file.
import type { RotateKeysInput } from '../workflows/key-rotation-types.ts';
import type { WorkflowTimings } from '../workflows/types.ts';
import { taskQueue } from './task-queues.ts';

/** One schedule per tenant; its runs are `rotate-keys:<tid>-<time>`. */
export const keyRotationScheduleId = (tid: string): string => `rotate-keys:${tid}`;

/**
 * Create the tenant's key rotation schedule, or bring its interval up to
 * date (`keys.rotationIntervalDays` of the current config). Idempotent.
 * Called when a tenant is provisioned and whenever its config changes.
 */
export async function upsertKeyRotationSchedule(
  client: Client,
  options: { tid: string; intervalDays: number; taskQueuePrefix: string; timings: WorkflowTimings },
): Promise<void> {
  const { tid, intervalDays, taskQueuePrefix, timings } = options;
  const spec = { intervals: [{ every: `${intervalDays} days` as const }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'rotateKeys',
    workflowId: `rotate-keys:${tid}`,
    taskQueue: taskQueue('keys', taskQueuePrefix),
    args: [{ tid, timings } satisfies RotateKeysInput],
  };
  try {
    await client.schedule.create({
      scheduleId: keyRotationScheduleId(tid),
      spec,
      action,
      // A rotation still waiting out its deletion when the next is due: the next one waits its turn.
      policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE, catchupWindow: '1 day' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(keyRotationScheduleId(tid)).update((previous) => ({ ...previous, spec, action }));
  }
}

/** Remove the tenant's schedule (deprovisioning); a schedule already gone is fine. */
export async function deleteKeyRotationSchedule(client: Client, tid: string): Promise<void> {
  try {
    await client.schedule.getHandle(keyRotationScheduleId(tid)).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}

/**
 * After a config change: an existing schedule takes the new interval. A
 * tenant without one (still provisioning, failed) is left alone — its
 * provisioning creates it from the current config. Temporal being down is
 * logged, not answered: the config change itself has been made.
 */
export async function followRotationInterval(
  client: Client,
  tid: string,
  intervalDays: number,
  log: { warn(obj: object, msg: string): void },
): Promise<void> {
  try {
    await client.schedule.getHandle(keyRotationScheduleId(tid)).update((previous) => ({
      ...previous,
      spec: { intervals: [{ every: `${intervalDays} days` }] },
    }));
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) log.warn({ err, tid }, 'key rotation schedule not updated');
  }
}
