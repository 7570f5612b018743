import type { PlanQuotas } from '@tessera/shared/billing/plan';

/** A fixed window of the shared limiter: at most `points` requests in `duration` seconds. */
export interface RateWindow {
  points: number;
  /** Whole seconds (the Redis limiter keeps its windows as key TTLs in seconds). */
  duration: number;
}

/**
 * The plan's token-endpoint rate as a fixed window of rate-limiter-flexible
 * (whose Redis limiter counts fixed windows that start at their first
 * request): a window of burst / rate seconds, rounded to a whole second and
 * at least one, holding rate × window points. The sustained rate is the
 * plan's; the most a tenant gets at once is its burst when the burst is a
 * whole multiple of the rate (every seeded plan: burst = 2 × rate), else the
 * nearest such multiple. Undefined (no limit, no work) when either is null.
 */
export function tokenRateWindow(quotas: PlanQuotas): RateWindow | undefined {
  if (quotas.token_requests_per_second === null || quotas.token_requests_burst === null) return undefined;
  // A plan's figures are checked when written; here a rate or burst below one counts as one.
  const rate = Math.max(1, quotas.token_requests_per_second);
  const burst = Math.max(1, quotas.token_requests_burst);
  const duration = Math.max(1, Math.round(burst / rate));
  return { points: Math.max(1, Math.round(rate * duration)), duration };
}
