import { utcDay } from '@tessera/shared/billing/metrics';
import { activeSubjectsKey, usageDayKey, usageDaysKey } from '@tessera/shared/billing/usage-keys';
import type { Db } from '@tessera/shared/db/database';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';

/** The usage dimension holding a day's month-to-date count of distinct subjects (PFCOUNT of the month's HyperLogLog). */
export const MAS_DIMENSION = 'monthly_active_subjects';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Drop a day from usage-days only if its counts are still what was
 * aggregated (their sum, which only grows): a node flushing a late batch of
 * that day between the read and the removal keeps it for the next run.
 */
const CLOSE_DAY = `
local values = redis.call('HVALS', KEYS[1])
local sum = 0
for _, v in ipairs(values) do sum = sum + tonumber(v) end
if sum == tonumber(ARGV[2]) then return redis.call('SREM', KEYS[2], ARGV[1]) end
return 0`;

export interface AggregationResult {
  /** Tenant days read from Redis. */
  days: number;
  /** Tenant days over and aggregated for good (removed from usage-days). */
  closed: number;
}

/**
 * The aggregation step of the usage job (docs/billing.md): for every tenant
 * day data-plane nodes have counted (usage-days), write the absolute counts
 * of the day hash, and the month-to-date monthly active subjects, into
 * `usage`. Absolute values, never increments, so a run repeated or
 * overlapping writes the same rows; `greatest` keeps a row from going down
 * if Redis lost keys; a past day's subjects figure is kept as it was. A day that is over is removed from usage-days once
 * aggregated. `redis` is the prefixed connection (the key functions get no
 * prefix of their own).
 */
export async function aggregateUsage(db: Db, redis: Redis, now = Date.now()): Promise<AggregationResult> {
  const today = utcDay(now);
  const members = await redis.smembers(usageDaysKey());
  let closed = 0;
  for (const member of members) {
    const cut = member.lastIndexOf('|');
    const tid = member.slice(0, cut);
    const day = member.slice(cut + 1);
    if (cut <= 0 || !DAY.test(day)) {
      await redis.srem(usageDaysKey(), member); // not ours to read
      continue;
    }
    const dayKey = usageDayKey(tid, day);
    const [counts, subjects] = await Promise.all([
      redis.hgetall(dayKey),
      redis.pfcount(activeSubjectsKey(tid, day.slice(0, 7))),
    ]);
    const rows = Object.entries(counts).map(([dimension, value]) => ({ tid, day, dimension, value }));
    const over = day < today;
    if (rows.length > 0) {
      // A day's subjects are the month's so far: once the day is over the month's HyperLogLog has later days in it, so a
      // past day keeps the figure it had (reports bill each day's growth; a grown past day would bill subjects twice).
      const mas = { tid, day, dimension: MAS_DIMENSION, value: String(subjects) };
      await upsertUsage(db, over ? rows : [...rows, mas]);
      if (over) await upsertUsage(db, [mas], 'keep');
    }
    if (over) {
      const sum = Object.values(counts).reduce((total, v) => total + Number(v), 0);
      closed += Number(await redis.eval(CLOSE_DAY, 2, dayKey, usageDaysKey(), member, String(sum)));
    }
  }
  return { days: members.length, closed };
}

/** Upsert absolute values (`keep`: only where there is no row yet); nothing when the tenant is gone (its usage went with it). */
async function upsertUsage(
  db: Db,
  rows: { tid: string; day: string; dimension: string; value: string }[],
  existing: 'raise' | 'keep' = 'raise',
) {
  try {
    await db
      .insertInto('usage')
      .values(rows.map((r) => ({ ...r, updated_at: sql`now()` })))
      .onConflict((c) =>
        existing === 'keep'
          ? c.columns(['tid', 'day', 'dimension']).doNothing()
          : c.columns(['tid', 'day', 'dimension']).doUpdateSet({
              value: sql`greatest(usage.value, excluded.value)`,
              updated_at: sql`now()`,
            }),
      )
      .execute();
  } catch (err) {
    // 23503: foreign key violation, the tenant was deprovisioned; nothing to keep.
    if ((err as { code?: string }).code !== '23503') throw err;
  }
}
