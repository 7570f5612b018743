import type { Client } from '@temporalio/client';
import type { Db } from '@tessera/shared/db/database';
import { loadTenants } from '@tessera/shared/tenancy/tenant-reader';
import type { WorkflowTimings } from '../workflows/types.ts';
import { keyRotationScheduleId, upsertKeyRotationSchedule } from './key-rotation-schedule.ts';

/**
 * Give every active tenant that has no key rotation schedule one: tenants
 * provisioned before schedules existed, or a Temporal cluster that lost its
 * state. Existing schedules are left as they are. The worker runs it at start;
 * returns the tids it scheduled.
 */
export async function backfillKeyRotationSchedules(
  client: Client,
  db: Db,
  options: { taskQueuePrefix: string; timings: WorkflowTimings; pageSize?: number; /** only these tenants (default: all) */ tids?: readonly string[] },
): Promise<string[]> {
  const existing = new Set<string>();
  for await (const schedule of client.schedule.list()) existing.add(schedule.scheduleId);
  const scheduled: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await loadTenants(db, { limit: options.pageSize ?? 500, ...(after ? { after } : {}) });
    for (const tenant of page) {
      if (tenant.status !== 'active' || existing.has(keyRotationScheduleId(tenant.tid))) continue;
      if (options.tids && !options.tids.includes(tenant.tid)) continue;
      await upsertKeyRotationSchedule(client, {
        tid: tenant.tid,
        intervalDays: tenant.config.keys.rotationIntervalDays,
        taskQueuePrefix: options.taskQueuePrefix,
        timings: options.timings,
      });
      scheduled.push(tenant.tid);
    }
    if (page.length < (options.pageSize ?? 500)) return scheduled;
    after = page.at(-1)!.tid;
  }
}
