/**
 * The Redis keys of usage, written by data-plane nodes (counted in memory and
 * flushed in batches) and read by the control plane's aggregation job and by
 * every node's cap check. One place, so both planes agree.
 *
 *   usage:<tid>:<YYYY-MM-DD>    hash dimension → count of that UTC day (HINCRBY)
 *   usage-month:<tid>:<YYYY-MM> hash metric → count of that UTC month (HINCRBY; caps read it)
 *   mas:<tid>:<YYYY-MM>         HyperLogLog of the subjects active in the month (PFADD)
 *   usage-days                  set of "<tid>|<YYYY-MM-DD>" with counts not yet aggregated for good
 *
 * Keys live a while past their period (USAGE_KEY_TTL_SECONDS) so the job can
 * aggregate late; the `usage` table is the record. The names carry no
 * deployment prefix: every Redis connection of ours adds REDIS_PREFIX itself
 * (shared/src/redis.ts).
 */
export const USAGE_KEY_TTL_SECONDS = 40 * 24 * 3600;

export const usageDayKey = (tid: string, day: string) => `usage:${tid}:${day}`;
export const usageMonthKey = (tid: string, month: string) => `usage-month:${tid}:${month}`;
export const activeSubjectsKey = (tid: string, month: string) => `mas:${tid}:${month}`;
export const usageDaysKey = () => 'usage-days';
export const usageDayMember = (tid: string, day: string) => `${tid}|${day}`;
