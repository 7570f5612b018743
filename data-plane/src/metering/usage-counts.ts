import { metricOf, utcDay } from '@tessera/shared/billing/metrics';
import {
  activeSubjectsKey,
  USAGE_KEY_TTL_SECONDS,
  usageDayKey,
  usageDayMember,
  usageDaysKey,
  usageMonthKey,
} from '@tessera/shared/billing/usage-keys';
import type { Redis } from 'ioredis';
import { sendCounts, startFlusher } from '../stores/counter-batches.ts';

/** One tenant's usage of one UTC day since the last flush. */
interface TenantDay {
  counts: Map<string, number>;
  subjects: Set<string>;
}

const DAY_MS = 86_400_000;

/**
 * One node's usage counts (docs/billing.md), kept in memory and added to
 * Redis by a timer, as the per-issuer request counts are
 * (tenancy/issuer-requests.ts): recording usage is a few map updates, never
 * I/O, so it can sit on the token endpoint. Counts are kept per UTC day of
 * the event, so a flush just after midnight still puts them on the day they
 * happened. One per data plane.
 */
export class UsageCounts {
  /** day → tenant → counts and subjects. */
  #days = new Map<string, Map<string, TenantDay>>();
  /** The day events are recorded under now, and when it ends (ms): Date.now() per event, a date string per day. */
  #day = '';
  #dayEnd = 0;
  #current: Map<string, TenantDay> | undefined;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Count what an exchange used: `usage` is dimension, subject pairs (Exchange.usage). */
  record(tid: string, usage: readonly (string | undefined)[]): void {
    const entry = this.#tenantDay(tid);
    for (let i = 0; i < usage.length; i += 2) {
      const dimension = usage[i]!;
      entry.counts.set(dimension, (entry.counts.get(dimension) ?? 0) + 1);
      const sub = usage[i + 1];
      if (sub !== undefined) entry.subjects.add(sub);
    }
  }

  #tenantDay(tid: string): TenantDay {
    const now = this.#now();
    if (this.#current === undefined || now >= this.#dayEnd || now < this.#dayEnd - DAY_MS) {
      this.#day = utcDay(now);
      this.#dayEnd = Date.parse(`${this.#day}T00:00:00Z`) + DAY_MS;
      this.#current = this.#days.get(this.#day);
      if (this.#current === undefined) this.#days.set(this.#day, (this.#current = new Map()));
    }
    let entry = this.#current.get(tid);
    if (entry === undefined) this.#current.set(tid, (entry = { counts: new Map(), subjects: new Set() }));
    return entry;
  }

  /**
   * Move the counts gathered so far to Redis in one pipeline (shared/src/billing/usage-keys.ts):
   * the day and month hashes, the month's subjects HyperLogLog, and the day in the set the
   * aggregation job reads. `redis` is the prefixed connection: its keyPrefix is the prefix, so the
   * key functions get none. On failure the counts are kept for the next flush.
   */
  async flush(redis: Redis): Promise<void> {
    if (this.#days.size === 0) return;
    const batch = this.#days;
    this.#days = new Map();
    this.#current = undefined;
    const pipeline = redis.pipeline();
    for (const [day, tenants] of batch) {
      const month = day.slice(0, 7);
      for (const [tid, { counts, subjects }] of tenants) {
        const dayKey = usageDayKey(tid, day);
        const monthKey = usageMonthKey(tid, month);
        const byMetric = new Map<string, number>();
        for (const [dimension, n] of counts) {
          pipeline.hincrby(dayKey, dimension, n);
          const metric = metricOf(dimension) ?? dimension;
          byMetric.set(metric, (byMetric.get(metric) ?? 0) + n);
        }
        for (const [metric, n] of byMetric) pipeline.hincrby(monthKey, metric, n);
        pipeline.expire(dayKey, USAGE_KEY_TTL_SECONDS);
        pipeline.expire(monthKey, USAGE_KEY_TTL_SECONDS);
        if (subjects.size > 0) {
          const masKey = activeSubjectsKey(tid, month);
          pipeline.pfadd(masKey, ...subjects);
          pipeline.expire(masKey, USAGE_KEY_TTL_SECONDS);
        }
        // Last: once the job sees the day, its counts are in.
        pipeline.sadd(usageDaysKey(), usageDayMember(tid, day));
      }
    }
    await sendCounts(pipeline, 'usage counters', () => {
      for (const [day, tenants] of batch) for (const [tid, entry] of tenants) this.#merge(day, tid, entry);
    });
  }

  #merge(day: string, tid: string, from: TenantDay): void {
    let tenants = this.#days.get(day);
    if (tenants === undefined) this.#days.set(day, (tenants = new Map()));
    const into = tenants.get(tid);
    if (into === undefined) {
      tenants.set(tid, from);
      return;
    }
    for (const [dimension, n] of from.counts) into.counts.set(dimension, (into.counts.get(dimension) ?? 0) + n);
    for (const sub of from.subjects) into.subjects.add(sub);
  }

  /** Flush every `intervalMs` until stopped; the returned stop flushes one last time. */
  startFlusher(redis: Redis, intervalMs = 1000, onError: (err: unknown) => void = () => {}): () => Promise<void> {
    return startFlusher(() => this.flush(redis), intervalMs, onError);
  }
}
