import { Context } from '@temporalio/activity';
import { loadTenant } from '@tessera/shared/tenancy/tenant-reader';
import { deleteKeyRotationSchedule, upsertKeyRotationSchedule } from '../temporal/key-rotation-schedule.ts';
import { TASK_QUEUE_CONCERNS } from '../temporal/task-queues.ts';
import type { WorkflowTimings } from '../workflows/types.ts';
import type { ActivityDeps } from './deps.ts';

/**
 * The deployment's task-queue prefix, read off the queue this activity runs
 * on (`<prefix><concern>`): the schedule's rotations go to the same
 * deployment's `keys` queue.
 */
function taskQueuePrefix(): string {
  const queue = Context.current().info.taskQueue;
  const concern = TASK_QUEUE_CONCERNS.find((c) => queue.endsWith(c));
  return concern ? queue.slice(0, queue.length - concern.length) : '';
}

/** Hooks for provisioning and deprovisioning: the tenant's key rotation schedule. Both idempotent. */
export const keyRotationScheduleActivities = ({ db }: ActivityDeps) => ({
  async scheduleKeyRotation({ tid, timings }: { tid: string; timings: WorkflowTimings }): Promise<void> {
    const tenant = await loadTenant(db, tid);
    if (!tenant) return;
    await upsertKeyRotationSchedule(Context.current().client, {
      tid,
      intervalDays: tenant.config.keys.rotationIntervalDays,
      taskQueuePrefix: taskQueuePrefix(),
      timings,
    });
  },

  async unscheduleKeyRotation({ tid }: { tid: string }): Promise<void> {
    await deleteKeyRotationSchedule(Context.current().client, tid);
  },
});
