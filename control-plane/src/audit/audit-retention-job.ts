import { purgeExpiredAudit } from '@tessera/shared/audit/audit-retention';
import type { Db } from '@tessera/shared/db/database';
import type { JobRedis } from '../jobs/queue-worker.ts';
import { type RepeatableJob, startRepeatableJob } from '../jobs/repeatable-job.ts';

/** The BullMQ queue of the audit retention job, and its one scheduler. */
export const AUDIT_RETENTION_QUEUE = 'audit-retention';
const SCHEDULER = 'purge-expired';

export interface AuditRetentionJobOptions extends JobRedis {
  db: Db;
  /** How often the job runs (default hourly). */
  everyMs?: number;
  batchSize?: number;
  log?: (line: Record<string, unknown>) => void;
}

export type AuditRetentionJob = RepeatableJob;

/**
 * The audit retention job (docs/audit.md): a BullMQ repeatable job in the
 * worker process that deletes audit records older than their tenant's plan
 * keeps them (shared/src/audit/audit-retention.ts), in batches. A purge is
 * idempotent, so a run cut short is finished by the next.
 */
export function startAuditRetentionJob(options: AuditRetentionJobOptions): Promise<AuditRetentionJob> {
  const { db } = options;
  return startRepeatableJob({
    queue: AUDIT_RETENTION_QUEUE,
    scheduler: SCHEDULER,
    everyMs: options.everyMs ?? 3_600_000,
    redisUrl: options.redisUrl,
    redisPrefix: options.redisPrefix,
    run: async () => ({
      purged: await purgeExpiredAudit(db, new Date(), options.batchSize ? { batchSize: options.batchSize } : {}),
    }),
    logKey: 'auditRetentionJob',
    log: options.log ?? (() => {}),
  });
}
