import type { Db } from '@tessera/shared/db/database';
import { createRedis } from '@tessera/shared/redis';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { aggregateUsage } from './usage-aggregation.ts';
import { type MeterEvents, reportUsage } from './usage-reporting.ts';

/** The BullMQ queue of the usage job, and its one scheduler. */
export const USAGE_QUEUE = 'usage';
const SCHEDULER = 'aggregate-and-report';

export interface UsageJobOptions {
  db: Db;
  /** The prefixed command connection (the usage keys). */
  redis: Redis;
  redisUrl: string;
  /** The deployment's Redis prefix: BullMQ's keys go under `<prefix>bull`. */
  redisPrefix: string;
  /** Stripe's Billing Meter events; null when billing is off (aggregation only). */
  meterEvents: MeterEvents | null;
  /** How often the job runs (default every minute). */
  everyMs?: number;
  log?: (line: Record<string, unknown>) => void;
}

export interface UsageJob {
  /** Stop taking jobs (the one running finishes) and close the connections. */
  close(): Promise<void>;
}

/**
 * The usage job (docs/billing.md): a BullMQ repeatable job, run by the
 * control plane's worker process, that aggregates the nodes' usage counters
 * from Redis into `usage` and reports what is new to Stripe's Billing Meters.
 * One job at a time across every worker process (BullMQ hands each run to
 * one worker; concurrency 1), and both steps are idempotent, so a run
 * repeated after a crash counts and bills once. BullMQ takes connections
 * without a key prefix and `maxRetriesPerRequest: null`: its own `prefix`
 * keeps its keys beside the deployment's.
 */
export async function startUsageJob(options: UsageJobOptions): Promise<UsageJob> {
  const { db, redis, meterEvents, log = () => {} } = options;
  const prefix = `${options.redisPrefix}bull`;
  const queueConnection = createRedis(options.redisUrl, '', { bullmq: true });
  const workerConnection = createRedis(options.redisUrl, '', { bullmq: true });
  const queue = new Queue(USAGE_QUEUE, { connection: queueConnection, prefix });
  const worker = new Worker(
    USAGE_QUEUE,
    async () => {
      const aggregated = await aggregateUsage(db, redis);
      // With billing off, usage is aggregated (the usage API, the caps) and reported nowhere.
      const reported = meterEvents === null ? { sent: 0 } : await reportUsage(db, meterEvents);
      return { ...aggregated, ...reported };
    },
    { connection: workerConnection, prefix, concurrency: 1 },
  );
  worker.on('completed', (_job, result) => log({ usageJob: 'completed', ...result }));
  worker.on('failed', (_job, err) => log({ usageJob: 'failed', error: err.message }));
  worker.on('error', (err) => log({ usageJob: 'error', error: err.message }));
  await queue.upsertJobScheduler(
    SCHEDULER,
    { every: options.everyMs ?? 60_000 },
    { name: SCHEDULER, opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
  return {
    async close() {
      await worker.close();
      await queue.close();
      await Promise.all([queueConnection.quit(), workerConnection.quit()]).catch(() => undefined);
    },
  };
}
