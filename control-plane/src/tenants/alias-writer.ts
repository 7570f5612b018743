import { type AuditRecord, appendAudit } from '@tessera/shared/audit/audit-log';
import { holdCountQuota, planQuotaOf } from '@tessera/shared/billing/count-quota';
import type { Db } from '@tessera/shared/db/database';
import type { AliasMode } from '@tessera/shared/db/schema';
import { HttpError, notFound } from '@tessera/shared/http/errors';
import type { IssuerAlias } from '@tessera/shared/tenancy/tenant';
import { sql } from 'kysely';
import { issuerHolder, lockIssuers, requireIssuersFree } from './issuer-lock.ts';

const tenantNotFound = (tid: string) => notFound(`No tenant "${tid}"`, 'tenant_not_found');

/** Mark the tenant changed (nodes that miss the pub/sub message resync on `updated_at`). */
async function touch(trx: Db, tid: string): Promise<void> {
  await trx.updateTable('tenants').set({ updated_at: sql<Date>`clock_timestamp()` }).where('tid', '=', tid).execute();
}

async function requireTenant(trx: Db, tid: string): Promise<{ issuer: string }> {
  const row = await trx.selectFrom('tenants').select('issuer').where('tid', '=', tid).forUpdate().executeTakeFirst();
  if (!row) throw tenantNotFound(tid);
  return row;
}

export async function listAliases(db: Db, tid: string): Promise<IssuerAlias[]> {
  const tenant = await db.selectFrom('tenants').select('tid').where('tid', '=', tid).executeTakeFirst();
  if (!tenant) throw tenantNotFound(tid);
  return db.selectFrom('issuer_aliases').select(['issuer', 'mode']).where('tid', '=', tid).orderBy('issuer').execute();
}

/**
 * Add an alias. `409 issuer_taken` when the URL is any tenant's primary or
 * alias — also this tenant's own, unless `idempotent` (a workflow retrying
 * its own step), in which case an existing alias of this tenant is kept as is;
 * `409 issuer_conflict` when it nests with any issuer (issuer-conflicts.ts);
 * `403 quota_exceeded` when the tenant has as many aliases as its plan allows
 * (unless `quota: false`: an issuer migration's temporary alias).
 * Returns the alias's mode before the call (undefined: it was new). A new
 * alias is recorded in the audit log as done by `actor` (default `system`).
 */
export async function addAlias(
  db: Db,
  tid: string,
  alias: IssuerAlias,
  options: { idempotent?: boolean; quota?: boolean; actor?: string } = {},
): Promise<AliasMode | undefined> {
  return db.transaction().execute(async (trx) => {
    await lockIssuers(trx);
    await requireTenant(trx, tid);
    const holder = await issuerHolder(trx, alias.issuer);
    if (holder && options.idempotent && holder.tid === tid && holder.as === 'ALIAS') {
      const row = await trx
        .selectFrom('issuer_aliases')
        .select('mode')
        .where('issuer', '=', alias.issuer)
        .executeTakeFirstOrThrow();
      return row.mode;
    }
    await requireIssuersFree(trx, tid, [alias.issuer]);
    // The plan's alias quota, as Postgres has it now (the tenant's row is held: requireTenant).
    if (options.quota !== false)
      await holdCountQuota(trx, tid, 'issuer_aliases', await planQuotaOf(trx, tid, 'issuer_aliases'));
    await trx.insertInto('issuer_aliases').values({ tid, issuer: alias.issuer, mode: alias.mode }).execute();
    await touch(trx, tid);
    await appendAudit(trx, [
      {
        tid,
        actor: options.actor ?? 'system',
        action: 'alias.added',
        target: `alias:${alias.issuer}`,
        details: { issuer: alias.issuer, mode: alias.mode },
      },
    ]);
    return undefined;
  });
}

/**
 * Remove an alias of this tenant; false when it has no such alias (already
 * gone). `also`: further audit records of the same change (an issuer
 * migration's completion), written only when the alias went.
 */
export async function removeAlias(
  db: Db,
  tid: string,
  issuer: string,
  actor = 'system',
  also: readonly AuditRecord[] = [],
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await requireTenant(trx, tid);
    const gone = await trx
      .deleteFrom('issuer_aliases')
      .where('tid', '=', tid)
      .where('issuer', '=', issuer)
      .executeTakeFirst();
    if (gone.numDeletedRows === 0n) return false;
    await touch(trx, tid);
    await appendAudit(trx, [
      { tid, actor, action: 'alias.removed', target: `alias:${issuer}`, details: { issuer } },
      ...also,
    ]);
    return true;
  });
}

/**
 * Make `to` the primary issuer; the primary it replaces (`from`) becomes an
 * alias in `fromMode`, and `to` stops being an alias. Idempotent: a tenant
 * whose primary already is `to` is left alone. Refuses (409) when the primary
 * is neither `from` nor `to` (someone changed it meanwhile).
 */
export async function swapPrimary(db: Db, tid: string, from: string, to: string, fromMode: AliasMode): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockIssuers(trx);
    const { issuer } = await requireTenant(trx, tid);
    if (issuer === to) return;
    if (issuer !== from) throw new HttpError(409, 'issuer_changed', `The primary issuer is ${issuer}, not ${from}`);
    // `to` is normally this tenant's alias already (checked when added); anything else is checked as new.
    const holder = await issuerHolder(trx, to);
    if (!(holder?.tid === tid && holder.as === 'ALIAS')) await requireIssuersFree(trx, tid, [to]);
    await trx.deleteFrom('issuer_aliases').where('issuer', '=', to).execute();
    await trx
      .updateTable('tenants')
      .set({ issuer: to, updated_at: sql<Date>`clock_timestamp()` })
      .where('tid', '=', tid)
      .execute();
    await trx.insertInto('issuer_aliases').values({ tid, issuer: from, mode: fromMode }).execute();
  });
}

/**
 * Undo a migration's changes: `oldIssuer` primary again (it stops being an
 * alias) and `newIssuer` gone from the tenant. Idempotent, one transaction;
 * it reads the state rather than trusting what a caller believes happened.
 */
export async function restorePrimary(
  db: Db,
  tid: string,
  oldIssuer: string,
  newIssuer: string,
  audit: readonly AuditRecord[] = [],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockIssuers(trx);
    const { issuer } = await requireTenant(trx, tid);
    if (issuer === newIssuer) {
      await trx.deleteFrom('issuer_aliases').where('tid', '=', tid).where('issuer', '=', oldIssuer).execute();
      await trx.updateTable('tenants').set({ issuer: oldIssuer }).where('tid', '=', tid).execute();
    }
    await trx.deleteFrom('issuer_aliases').where('tid', '=', tid).where('issuer', '=', newIssuer).execute();
    await touch(trx, tid);
    // Records with an eventId: a retried step records once.
    await appendAudit(trx, audit);
  });
}
