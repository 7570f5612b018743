/**
 * What is metered (docs/billing.md). Each metric is counted per tenant and
 * day; tokens also per grant type (usage dimension `tokens:<grant_type>`,
 * whose sum is the metric `tokens`). Monthly active subjects are distinct
 * subjects per tenant and calendar month (UTC), counted with a Redis
 * HyperLogLog, so the figure is an estimate within about 1 %.
 */
export const METRICS = ['tokens', 'authorizations', 'sign_ins', 'introspections', 'monthly_active_subjects'] as const;
export type Metric = (typeof METRICS)[number];

export const isMetric = (value: string): value is Metric => (METRICS as readonly string[]).includes(value);

/** The usage dimension of tokens issued with one grant type. */
export const tokenDimension = (grantType: string): string => `tokens:${grantType}`;

/** The metric a usage dimension counts towards ("tokens:client_credentials" → "tokens"). */
export function metricOf(dimension: string): Metric | undefined {
  const metric = dimension.split(':', 1)[0]!;
  return isMetric(metric) ? metric : undefined;
}

/** A UTC day "YYYY-MM-DD" and month "YYYY-MM" of an instant (ms since the epoch). */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
export const utcMonth = (ms: number): string => new Date(ms).toISOString().slice(0, 7);
