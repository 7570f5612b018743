import { METRICS, type Metric, metricOf } from '@tessera/shared/billing/metrics';
import type { MonthlyCaps } from '@tessera/shared/billing/plan';
import type { UsageRow } from './metered-quantities.ts';

type ByMetric = Record<Metric, number>;
const zero = (): ByMetric => ({
  tokens: 0,
  authorizations: 0,
  sign_ins: 0,
  introspections: 0,
  monthly_active_subjects: 0,
});

export interface UsageSummary {
  days: { day: string; dimensions: Record<string, number> }[];
  /** Per metric over the range; monthly active subjects: per month, its figure at the range's last day in it, added up. */
  totals: ByMetric;
  months: {
    month: string;
    /** The whole month so far (not only the days in range). */
    usage: ByMetric;
    /** Beyond each soft cap: billed as overage (hard caps are refused, never over). */
    overage: Partial<ByMetric>;
  }[];
}

/**
 * What `GET /tenants/rest/v1/{tid}/usage` answers (docs/billing.md), from
 * the `usage` rows of the months the range touches: each day in range with
 * its dimensions, per-metric totals for the range, and per month its
 * metrics and the overage beyond the plan's soft caps. Monthly active
 * subjects are month-to-date counts, so a month's figure is its largest,
 * never a sum of days.
 */
export function summariseUsage(rows: readonly UsageRow[], range: { from: string; to: string }, caps: MonthlyCaps) {
  const days = new Map<string, Record<string, number>>();
  const months = new Map<string, ByMetric>();
  // Every month the range touches, used or not.
  for (let m = range.from.slice(0, 7); m <= range.to.slice(0, 7); m = nextMonth(m)) months.set(m, zero());
  const totals = zero();
  const subjectsInRange = new Map<string, number>();
  for (const { day, dimension, value } of [...rows].sort((a, b) => a.day.localeCompare(b.day))) {
    const metric = metricOf(dimension);
    const month = day.slice(0, 7);
    let usage = months.get(month);
    if (!usage) months.set(month, (usage = zero()));
    const inRange = day >= range.from && day <= range.to;
    if (inRange) {
      let dimensions = days.get(day);
      if (!dimensions) days.set(day, (dimensions = {}));
      dimensions[dimension] = value;
    }
    if (metric === undefined) continue;
    if (metric === 'monthly_active_subjects') {
      usage.monthly_active_subjects = Math.max(usage.monthly_active_subjects, value);
      if (inRange) subjectsInRange.set(month, Math.max(subjectsInRange.get(month) ?? 0, value));
    } else {
      usage[metric] += value;
      if (inRange) totals[metric] += value;
    }
  }
  for (const n of subjectsInRange.values()) totals.monthly_active_subjects += n;
  return {
    days: [...days].map(([day, dimensions]) => ({ day, dimensions })),
    totals,
    months: [...months].map(([month, usage]) => ({ month, usage, overage: overage(usage, caps) })),
  } satisfies UsageSummary;
}

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
}

function overage(usage: ByMetric, caps: MonthlyCaps): Partial<ByMetric> {
  const out: Partial<ByMetric> = {};
  for (const metric of METRICS) {
    const cap = caps[metric];
    if (cap?.kind === 'soft' && usage[metric] > cap.limit) out[metric] = usage[metric] - cap.limit;
  }
  return out;
}
