import { condition, defineQuery, defineSignal, setHandler } from '@temporalio/workflow';
import { cleanups, steps } from './activity-stubs.ts';
import { failureReason } from './failure-reason.ts';
import type { MigrateIssuerInput, MigrateIssuerResult, MigrationProgress } from './issuer-migration-types.ts';

export const completeMigrationSignal = defineSignal('complete');
export const cancelMigrationSignal = defineSignal('cancel');
export const migrationProgressQuery = defineQuery<MigrationProgress>('progress');

/** At most this many counter reads per window, however short the poll interval: the history stays small. */
const MAX_READS_PER_WINDOW = 100;

/**
 * Move a tenant to a new issuer URL: add it as a MIGRATION alias → make it the
 * primary (the old primary becomes a MIGRATION alias) → serve both for the
 * window (durable timer; `complete` ends it early, `cancel` undoes it) →
 * drop the old URL. Cancelling restores the old primary and removes the new
 * URL. The `progress` query reports the state and how many requests still
 * arrive under the old URL (read from the data plane's counters).
 */
export async function migrateIssuer(input: MigrateIssuerInput): Promise<MigrateIssuerResult> {
  const { tid, oldIssuer, newIssuer, windowMs, timings } = input;
  const step = steps(timings);
  let requested: 'complete' | 'cancel' | undefined;
  let baseline = 0;
  let lastTotal = 0;
  const progress: MigrationProgress = {
    state: 'adding_alias',
    old_issuer: oldIssuer,
    new_issuer: newIssuer,
    window_started_at: null,
    window_ends_at: null,
    old_issuer_requests: 0,
    old_issuer_recent_requests: 0,
    old_issuer_last_request_at: null,
    counted_at: null,
  };
  setHandler(completeMigrationSignal, () => void (requested ??= 'complete'));
  setHandler(cancelMigrationSignal, () => void (requested ??= 'cancel'));
  setHandler(migrationProgressQuery, () => progress);

  const count = async () => {
    const read = await step.readIssuerRequestCount({ tid, issuer: oldIssuer });
    progress.old_issuer_requests = read.total - baseline;
    progress.old_issuer_recent_requests = read.total - lastTotal;
    progress.old_issuer_last_request_at = read.lastSeenMs === null ? null : new Date(read.lastSeenMs).toISOString();
    progress.counted_at = new Date().toISOString();
    lastTotal = read.total;
  };

  try {
    await step.addMigrationAlias({ tid, issuer: newIssuer });
    await step.publishTenant({ tid });
    progress.state = 'switching_primary';
    await step.makePrimaryIssuer({ tid, from: oldIssuer, to: newIssuer });
    await step.publishTenant({ tid });

    progress.state = 'window';
    // Counting is reporting only: a failed reading never undoes a migration.
    baseline = lastTotal = await step.readIssuerRequestCount({ tid, issuer: oldIssuer }).then(
      (r) => r.total,
      () => 0,
    );
    const started = Date.now();
    const ends = started + windowMs;
    progress.window_started_at = new Date(started).toISOString();
    progress.window_ends_at = new Date(ends).toISOString();
    const poll = Math.max(input.progressPollMs, Math.ceil(windowMs / MAX_READS_PER_WINDOW));
    while (requested === undefined && Date.now() < ends) {
      await condition(() => requested !== undefined, Math.min(poll, ends - Date.now()));
      if (requested === undefined) await count().catch(() => undefined);
    }
  } catch (err) {
    requested = 'cancel';
    progress.reason = failureReason(err).reason;
  }

  if (requested === 'cancel') {
    progress.state = 'cancelling';
    const undo = cleanups(timings);
    await undo.restorePrimaryIssuer({ tid, oldIssuer, newIssuer });
    await undo.publishTenant({ tid });
    if (progress.reason !== undefined) {
      progress.state = 'failed';
      return { status: 'failed', code: 'migration_failed', reason: progress.reason };
    }
    progress.state = 'cancelled';
    return { status: 'cancelled' };
  }

  progress.state = 'dropping_old_issuer';
  const finish = cleanups(timings);
  await finish.dropIssuerAlias({ tid, issuer: oldIssuer });
  await finish.publishTenant({ tid });
  await count().catch(() => undefined);
  progress.state = 'completed';
  return { status: 'completed' };
}
