import { type Client, ScheduleNotFoundError } from '@temporalio/client';
import type { Db } from '@tessera/shared/db/database';
import { loadTenants } from '@tessera/shared/tenancy/tenant-reader';
import type { WorkflowTimings } from '../workflows/types.ts';
import { keyRotationScheduleId, upsertKeyRotationSchedule } from './key-rotation-schedule.ts';

const DAY_MS = 86_400_000;

/**
 * Give every active tenant that has no key rotation schedule one (tenants
 * provisioned before schedules existed, or a Temporal cluster that lost its
 * state), and bring a schedule whose interval is not the tenant's
 * `keys.rotationIntervalDays` up to date (a config change made while
 * Temporal was unreachable). The worker runs it at start; returns the tids
 * whose schedule it created or corrected.
 */
export async function backfillKeyRotationSchedules(
  client: Client,
  db: Db,
  options: {
    taskQueuePrefix: string;
    timings: WorkflowTimings;
    pageSize?: number /** only these tenants (default: all) */;
    tids?: readonly string[];
  },
): Promise<string[]> {
  const existing = new Set<string>();
  for await (const schedule of client.schedule.list()) existing.add(schedule.scheduleId);
  // The list comes from Temporal's visibility store, which may lag an update: an interval is read with describe().
  // (A schedule the list still shows may be gone already: then it is made again.)
  const interval = async (id: string) => {
    try {
      return (await client.schedule.getHandle(id).describe()).spec.intervals?.[0]?.every;
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return undefined;
      throw err;
    }
  };
  const scheduled: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await loadTenants(db, { limit: options.pageSize ?? 500, ...(after ? { after } : {}) });
    for (const tenant of page) {
      if (tenant.status !== 'active') continue;
      if (options.tids && !options.tids.includes(tenant.tid)) continue;
      const id = keyRotationScheduleId(tenant.tid);
      if (existing.has(id) && (await interval(id)) === tenant.config.keys.rotationIntervalDays * DAY_MS) continue;
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
