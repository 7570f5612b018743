import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export interface PurgeOptions {
  /** Rows deleted per transaction: short transactions, no long lock on a busy table. */
  batchSize?: number;
  /** Stop after this many batches (the next run goes on). */
  maxBatches?: number;
}

/**
 * Delete the audit records older than their retention (docs/audit.md): a
 * tenant's by its plan's `audit_retention_days`; a deleted tenant's, and
 * records of no tenant (plans, unscoped admin tokens), by the longest
 * retention of any plan, so no record goes earlier than its tenant's plan
 * could have kept it. Batches, each its own transaction that alone sets the
 * purge setting the append-only trigger lets through. Returns how many went.
 */
export async function purgeExpiredAudit(db: Db, now: Date, options: PurgeOptions = {}): Promise<number> {
  const batchSize = options.batchSize ?? 5000;
  const maxBatches = options.maxBatches ?? 100;
  let total = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const deleted = await db.transaction().execute(async (trx) => {
      await sql`set local tessera.audit_purge = 'on'`.execute(trx);
      const result = await sql`
        with bounds as (
          select coalesce(min(audit_retention_days), 1) as shortest, coalesce(max(audit_retention_days), 3650) as longest
          from plans
        ),
        doomed as (
          select a.id
          from audit_log a
          cross join bounds
          left join tenants t on t.tid = a.tid
          left join plans p on p.id = t.plan
          -- nothing younger than the shortest retention can go: the index on occurred_at narrows the scan
          where a.occurred_at < ${now}::timestamptz - make_interval(days => bounds.shortest)
            and a.occurred_at < ${now}::timestamptz - make_interval(days => coalesce(p.audit_retention_days, bounds.longest))
          limit ${batchSize}
        )
        delete from audit_log where id in (select id from doomed)`.execute(trx);
      return Number(result.numAffectedRows ?? 0n);
    });
    total += deleted;
    if (deleted < batchSize) break;
  }
  return total;
}
