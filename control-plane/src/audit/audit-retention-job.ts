import { purgeExpiredAudit } from '@tessera/shared/audit/audit-retention';
import type { Db } from '@tessera/shared/db/database';
import { createRedis } from '@tessera/shared/redis';
import { Queue, Worker } from 'bullmq';

/** The BullMQ queue of the audit retention job, and its one scheduler. */
export const AUDIT_RETENTION_QUEUE = 'audit-retention';
const SCHEDULER = 'purge-expired';

export interface AuditRetentionJobOptions {
  db: Db;
  redisUrl: string;
  /** The deployment's Redis prefix: BullMQ's keys go under `<prefix>bull`. */
  redisPrefix: string;
  /** How often the job runs (default hourly). */
  everyMs?: number;
  batchSize?: number;
  log?: (line: Record<string, unknown>) => void;
}

export interface AuditRetentionJob {
  close(): Promise<void>;
}

/**
 * The audit retention job (docs/audit.md): a BullMQ repeatable job in the
 * worker process that deletes audit records older than their tenant's plan
 * keeps them (shared/src/audit/audit-retention.ts), in batches. One run at a
 * time across workers (concurrency 1); a purge is idempotent, so a run cut
 * short is finished by the next.
 */
export async function startAuditRetentionJob(options: AuditRetentionJobOptions): Promise<AuditRetentionJob> {
  const { db, log = () => {} } = options;
  const prefix = `${options.redisPrefix}bull`;
  const queueConnection = createRedis(options.redisUrl, '', { bullmq: true });
  const workerConnection = createRedis(options.redisUrl, '', { bullmq: true });
  const queue = new Queue(AUDIT_RETENTION_QUEUE, { connection: queueConnection, prefix });
  const worker = new Worker(
    AUDIT_RETENTION_QUEUE,
    async () => ({
      purged: await purgeExpiredAudit(db, new Date(), options.batchSize ? { batchSize: options.batchSize } : {}),
    }),
    { connection: workerConnection, prefix, concurrency: 1 },
  );
  worker.on('completed', (_job, result) => log({ auditRetentionJob: 'completed', ...result }));
  worker.on('failed', (_job, err) => log({ auditRetentionJob: 'failed', error: err.message }));
  worker.on('error', (err) => log({ auditRetentionJob: 'error', error: err.message }));
  await queue.upsertJobScheduler(
    SCHEDULER,
    { every: options.everyMs ?? 3_600_000 },
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
