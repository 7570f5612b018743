import { METRICS, type Metric } from '@tessera/shared/billing/metrics';
import { activeSubjectsKey, usageMonthKey } from '@tessera/shared/billing/usage-keys';
import type { Redis } from 'ioredis';

/** Month-to-date counts of one tenant, every metric (0 where nothing was counted). */
export type MonthTotals = Record<Metric, number>;

/** Where the fleet's month-to-date usage is read from: Redis on a data plane, a map in unit tests. */
export interface MonthTotalsSource {
  read(month: string, tids: readonly string[]): Promise<Map<string, MonthTotals>>;
}

export const zeroTotals = (): MonthTotals => ({
  tokens: 0,
  authorizations: 0,
  sign_ins: 0,
  introspections: 0,
  monthly_active_subjects: 0,
});

/**
 * The month hashes every node's metering adds to (usage-month:<tid>:<month>,
 * shared/src/billing/usage-keys.ts) and the month's subjects HyperLogLog,
 * in one pipeline for all tenants asked. `redis` is the prefixed
 * connection, so the key functions get no prefix.
 */
export const redisMonthTotals = (redis: Redis): MonthTotalsSource => ({
  async read(month, tids) {
    const pipeline = redis.pipeline();
    for (const tid of tids) {
      pipeline.hgetall(usageMonthKey(tid, month));
      pipeline.pfcount(activeSubjectsKey(tid, month));
    }
    const results = (await pipeline.exec()) ?? [];
    const totals = new Map<string, MonthTotals>();
    tids.forEach((tid, i) => {
      const [hashErr, hash] = results[2 * i] ?? [new Error('no reply')];
      const [countErr, subjects] = results[2 * i + 1] ?? [new Error('no reply')];
      if (hashErr || countErr) throw hashErr ?? countErr;
      const figures = zeroTotals();
      for (const metric of METRICS) figures[metric] = Number((hash as Record<string, string>)[metric] ?? 0) || 0;
      figures.monthly_active_subjects = Number(subjects) || 0;
      totals.set(tid, figures);
    });
    return totals;
  },
});
