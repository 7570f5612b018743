import type { Db } from '@tessera/shared/db/database';
import type { Redis } from 'ioredis';
import type { JobRedis } from '../jobs/queue-worker.ts';
import { type RepeatableJob, startRepeatableJob } from '../jobs/repeatable-job.ts';
import { aggregateUsage } from './usage-aggregation.ts';
import { type MeterEvents, reportUsage } from './usage-reporting.ts';

/** The BullMQ queue of the usage job, and its one scheduler. */
export const USAGE_QUEUE = 'usage';
const SCHEDULER = 'aggregate-and-report';

export interface UsageJobOptions extends JobRedis {
  db: Db;
  /** The prefixed command connection (the usage keys). */
  redis: Redis;
  /** Stripe's Billing Meter events; null when billing is off (aggregation only). */
  meterEvents: MeterEvents | null;
  /** How often the job runs (default every minute). */
  everyMs?: number;
  log?: (line: Record<string, unknown>) => void;
}

export type UsageJob = RepeatableJob;

/**
 * The usage job (docs/billing.md): a BullMQ repeatable job, run by the
 * control plane's worker process, that aggregates the nodes' usage counters
 * from Redis into `usage` and reports what is new to Stripe's Billing Meters.
 * Both steps are idempotent, so a run repeated after a crash counts and
 * bills once.
 */
export function startUsageJob(options: UsageJobOptions): Promise<UsageJob> {
  const { db, redis, meterEvents } = options;
  return startRepeatableJob({
    queue: USAGE_QUEUE,
    scheduler: SCHEDULER,
    everyMs: options.everyMs ?? 60_000,
    redisUrl: options.redisUrl,
    redisPrefix: options.redisPrefix,
    run: async () => {
      const aggregated = await aggregateUsage(db, redis);
      // With billing off, usage is aggregated (the usage API, the caps) and reported nowhere.
      const reported = meterEvents === null ? { sent: 0 } : await reportUsage(db, meterEvents);
      return { ...aggregated, ...reported };
    },
    logKey: 'usageJob',
    log: options.log ?? (() => {}),
  });
}
