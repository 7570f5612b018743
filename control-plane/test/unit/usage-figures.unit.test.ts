import { describe, expect, it } from 'vitest';
import { dailyQuantities } from '../../src/billing/metered-quantities.ts';
import { summariseUsage } from '../../src/billing/usage-summary.ts';

// What the usage rows amount to: per day and metric for Stripe (billing/metered-quantities.ts), and the usage
// API's days, totals and overage (billing/usage-summary.ts).

const rows = [
  { day: '2030-05-30', dimension: 'tokens:client_credentials', value: 5 },
  { day: '2030-05-30', dimension: 'tokens:password', value: 2 },
  { day: '2030-05-30', dimension: 'monthly_active_subjects', value: 40 },
  { day: '2030-05-31', dimension: 'tokens:client_credentials', value: 1 },
  { day: '2030-05-31', dimension: 'monthly_active_subjects', value: 45 },
  { day: '2030-06-01', dimension: 'sign_ins', value: 3 },
  { day: '2030-06-01', dimension: 'monthly_active_subjects', value: 3 },
  { day: '2030-06-01', dimension: 'something-else', value: 9 },
];

describe('dailyQuantities', () => {
  it('adds a metric’s dimensions per day, and bills monthly active subjects as each day’s growth within its month', () => {
    expect(dailyQuantities([...rows].reverse())).toEqual([
      { day: '2030-05-30', metric: 'tokens', quantity: 7 },
      { day: '2030-05-30', metric: 'monthly_active_subjects', quantity: 40 },
      { day: '2030-05-31', metric: 'tokens', quantity: 1 },
      { day: '2030-05-31', metric: 'monthly_active_subjects', quantity: 5 },
      { day: '2030-06-01', metric: 'sign_ins', quantity: 3 },
      // A new month starts from nothing.
      { day: '2030-06-01', metric: 'monthly_active_subjects', quantity: 3 },
    ]);
  });

  it('never bills a negative day when the estimate dips', () => {
    const dip = [
      { day: '2030-05-01', dimension: 'monthly_active_subjects', value: 100 },
      { day: '2030-05-02', dimension: 'monthly_active_subjects', value: 99 },
      { day: '2030-05-03', dimension: 'monthly_active_subjects', value: 103 },
    ];
    expect(dailyQuantities(dip).map((q) => q.quantity)).toEqual([100, 0, 3]);
  });
});

describe('summariseUsage', () => {
  it('lists the days in range, totals them, and gives each month its usage and overage beyond soft caps', () => {
    const summary = summariseUsage(
      rows,
      { from: '2030-05-31', to: '2030-06-01' },
      { tokens: { limit: 6, kind: 'soft' }, sign_ins: { limit: 1, kind: 'hard' } },
    );
    expect(summary.days).toEqual([
      { day: '2030-05-31', dimensions: { 'tokens:client_credentials': 1, monthly_active_subjects: 45 } },
      { day: '2030-06-01', dimensions: { sign_ins: 3, monthly_active_subjects: 3, 'something-else': 9 } },
    ]);
    // Subjects: May's figure at the range's last May day (45) and June's (3).
    expect(summary.totals).toEqual({
      tokens: 1,
      authorizations: 0,
      sign_ins: 3,
      introspections: 0,
      monthly_active_subjects: 48,
    });
    expect(summary.months).toEqual([
      {
        month: '2030-05',
        usage: { tokens: 8, authorizations: 0, sign_ins: 0, introspections: 0, monthly_active_subjects: 45 },
        overage: { tokens: 2 },
      },
      // A hard cap is refused at the limit, never billed as overage.
      {
        month: '2030-06',
        usage: { tokens: 0, authorizations: 0, sign_ins: 3, introspections: 0, monthly_active_subjects: 3 },
        overage: {},
      },
    ]);
  });
});
