import { ApplicationFailure, Context } from '@temporalio/activity';
import { HttpError } from '@tessera/shared/http/errors';
import { type IssuerRequests, readIssuerRequests } from '@tessera/shared/tenancy/issuer-requests';
import { addAlias, removeAlias, restorePrimary, swapPrimary } from '../tenants/alias-writer.ts';
import type { ActivityDeps } from './deps.ts';

/** A refusal (404, 409) is final: retrying cannot change the answer. */
async function final<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof HttpError && err.statusCode < 500) throw ApplicationFailure.nonRetryable(err.message, err.code);
    throw err;
  }
}

/**
 * The audit record of a migration's outcome, once per run (the run id makes
 * its event id, so a retried step does not record twice).
 */
function outcome(tid: string, action: string, details: Record<string, unknown>) {
  const { info } = Context.current();
  const runId = info.workflowExecution?.runId ?? info.activityId;
  return {
    tid,
    actor: 'system',
    action,
    target: `issuer_migration:${runId}`,
    details,
    eventId: `${action}:${runId}`,
  };
}

/** The steps of `migrateIssuer`; each one idempotent (a retry finds its own earlier work done). */
export const issuerMigrationActivities = ({ db, redis }: ActivityDeps) => ({
  async addMigrationAlias({ tid, issuer }: { tid: string; issuer: string }): Promise<void> {
    // A move, not a new alias: the old URL goes when the window ends, so the alias quota does not apply.
    await final(() => addAlias(db, tid, { issuer, mode: 'MIGRATION' }, { idempotent: true, quota: false }));
  },

  async makePrimaryIssuer({ tid, from, to }: { tid: string; from: string; to: string }): Promise<void> {
    await final(() => swapPrimary(db, tid, from, to, 'MIGRATION'));
  },

  async restorePrimaryIssuer({
    tid,
    oldIssuer,
    newIssuer,
  }: {
    tid: string;
    oldIssuer: string;
    newIssuer: string;
  }): Promise<void> {
    // A tenant deleted meanwhile has nothing left to restore.
    try {
      await restorePrimary(db, tid, oldIssuer, newIssuer, [
        outcome(tid, 'issuer_migration.cancelled', { old_issuer: oldIssuer, new_issuer: newIssuer }),
      ]);
    } catch (err) {
      if (!(err instanceof HttpError && err.statusCode === 404)) throw err;
    }
  },

  async dropIssuerAlias({ tid, issuer }: { tid: string; issuer: string }): Promise<void> {
    try {
      await removeAlias(db, tid, issuer, 'system', [
        outcome(tid, 'issuer_migration.completed', { dropped_issuer: issuer }),
      ]);
    } catch (err) {
      if (!(err instanceof HttpError && err.statusCode === 404)) throw err;
    }
  },

  /** The data plane's request counters for one issuer of the tenant (tenancy/issuer-requests.ts). */
  async readIssuerRequestCount({ tid, issuer }: { tid: string; issuer: string }): Promise<IssuerRequests> {
    return readIssuerRequests(redis, tid, issuer);
  },
});
