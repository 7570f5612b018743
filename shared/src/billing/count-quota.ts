import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { errors } from '../http/error-constructors.ts';
import type { HttpError } from '../http/errors.ts';
import type { PlanQuotas } from './plan.ts';

/** The quotas on how many of a thing a tenant may have, checked when one is created. */
export type CountQuota = keyof Pick<PlanQuotas, 'clients' | 'users' | 'issuer_aliases' | 'api_tokens'>;

/** What each counts, in the words of the refusal, and how (revoked API tokens do not count). */
const COUNTED: Record<CountQuota, { words: string; count: (trx: Db, tid: string) => Promise<number> }> = {
  clients: { words: 'clients', count: (trx, tid) => rows(trx, 'clients', tid) },
  users: { words: 'directory users', count: (trx, tid) => rows(trx, 'directory_users', tid) },
  issuer_aliases: { words: 'issuer aliases', count: (trx, tid) => rows(trx, 'issuer_aliases', tid) },
  api_tokens: { words: 'API tokens', count: (trx, tid) => rows(trx, 'tenant_api_tokens', tid, true) },
};

async function rows(
  trx: Db,
  table: 'clients' | 'directory_users' | 'issuer_aliases' | 'tenant_api_tokens',
  tid: string,
  activeOnly = false,
): Promise<number> {
  let query = trx
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tid', '=', tid);
  if (activeOnly) query = query.where(sql<boolean>`revoked_at is null`);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

/** 403 `quota_exceeded`, naming the quota: "The plan's quota of 10 clients is reached". */
export const quotaExceeded = (quota: CountQuota, limit: number): HttpError =>
  errors.quotaExceeded(`The plan's quota of ${limit} ${COUNTED[quota].words} is reached`);

/**
 * Within a transaction `trx`: hold the tenant's row (FOR NO KEY UPDATE, so
 * two creations of the same tenant take turns while inserts elsewhere that
 * only reference the tenant are not blocked), count, and throw
 * `quotaExceeded` when the tenant already has `limit`. The caller inserts in
 * the same transaction, so two parallel creations at limit − 1 cannot both
 * pass. `null` is unlimited: nothing is locked or counted.
 */
export async function holdCountQuota(trx: Db, tid: string, quota: CountQuota, limit: number | null): Promise<void> {
  if (limit === null) return;
  await sql`select 1 from tenants where tid = ${tid} for no key update`.execute(trx);
  if ((await COUNTED[quota].count(trx, tid)) >= limit) throw quotaExceeded(quota, limit);
}

/** The tenant's quota as its plan says now (the control plane reads it from Postgres, not from a cache); null: unlimited or no tenant. */
export async function planQuotaOf(trx: Db, tid: string, quota: CountQuota): Promise<number | null> {
  const row = await trx
    .selectFrom('tenants')
    .innerJoin('plans', 'plans.id', 'tenants.plan')
    .select(sql<number | null>`(plans.quotas ->> ${quota})::bigint`.as('limit'))
    .where('tenants.tid', '=', tid)
    .executeTakeFirst();
  return row?.limit == null ? null : Number(row.limit);
}
