import { METRICS, type Metric, metricOf } from '@tessera/shared/billing/metrics';

/** One row of `usage`. */
export interface UsageRow {
  day: string;
  dimension: string;
  value: number;
}

/** What a metric amounts to on one day. */
export interface DayQuantity {
  day: string;
  metric: Metric;
  quantity: number;
}

/**
 * Per day and metric, the quantity billed for it (docs/billing.md): the sum
 * of its dimensions (tokens: every `tokens:<grant_type>`); for monthly
 * active subjects, whose row is the month-to-date count, the growth over the
 * day before in the same month — so a month's days add up to its distinct
 * subjects, and a meter that sums (Stripe's default) bills each subject once
 * a month. Rows of one tenant, in any order.
 */
export function dailyQuantities(rows: readonly UsageRow[]): DayQuantity[] {
  const byDay = new Map<string, Map<Metric, number>>();
  for (const { day, dimension, value } of rows) {
    const metric = metricOf(dimension);
    if (metric === undefined) continue;
    let metrics = byDay.get(day);
    if (!metrics) byDay.set(day, (metrics = new Map()));
    metrics.set(metric, (metrics.get(metric) ?? 0) + value);
  }
  const out: DayQuantity[] = [];
  let month = '';
  let subjectsSoFar = 0;
  for (const day of [...byDay.keys()].sort()) {
    if (day.slice(0, 7) !== month) {
      month = day.slice(0, 7);
      subjectsSoFar = 0;
    }
    const metrics = byDay.get(day)!;
    for (const metric of METRICS) {
      const value = metrics.get(metric);
      if (value === undefined) continue;
      if (metric === 'monthly_active_subjects') {
        // A HyperLogLog estimate may dip by a subject or two: never a negative day.
        out.push({ day, metric, quantity: Math.max(0, value - subjectsSoFar) });
        subjectsSoFar = Math.max(subjectsSoFar, value);
      } else out.push({ day, metric, quantity: value });
    }
  }
  return out;
}
