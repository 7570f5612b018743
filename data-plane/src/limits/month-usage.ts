import { type Metric, utcMonth } from '@tessera/shared/billing/metrics';
import type { Clock } from '../ports/clock.ts';
import { type MonthTotals, type MonthTotalsSource, zeroTotals } from './month-totals.ts';

interface Entry {
  month: string;
  /** The fleet's figures at the last read. */
  fleet: MonthTotals;
  /** What this node counted since that read was sent (not yet in `fleet`). */
  own: MonthTotals;
  lastUsed: number;
  /** The first read, which requests of a tenant not seen before wait for. */
  loading: Promise<void> | undefined;
}

export interface MonthUsageOptions {
  /** How often the fleet's figures are read again (default 5 s). */
  refreshMs?: number;
  /** A tenant not asked about for this long is no longer read (default 10 min). */
  idleMs?: number;
}

/**
 * Each node's view of its tenants' month-to-date usage, for the hard caps
 * (core/policies/enforce-monthly-caps.ts): the fleet's figures, read from
 * the month hashes every few seconds for the tenants this node serves, plus
 * what this node counted itself since. No I/O per request but the first of
 * a tenant. The view lags the fleet by up to a refresh interval (and the
 * other nodes' metering flush): that is how far past a hard cap a fleet can
 * go — about (refresh + flush) × the tenant's rate of that metric.
 */
export class MonthUsage {
  readonly #source: MonthTotalsSource;
  readonly #clock: Clock;
  readonly #refreshMs: number;
  readonly #idleMs: number;
  readonly #onError: (err: unknown) => void;
  readonly #entries = new Map<string, Entry>();
  #month = '';
  #monthEnd = 0;

  constructor(
    source: MonthTotalsSource,
    clock: Clock,
    options: MonthUsageOptions = {},
    onError: (err: unknown) => void = () => {},
  ) {
    this.#source = source;
    this.#clock = clock;
    this.#refreshMs = options.refreshMs ?? 5000;
    this.#idleMs = options.idleMs ?? 10 * 60_000;
    this.#onError = onError;
  }

  /** The tenant's month-to-date count of `metric`; a promise only the first time (or first in a month) a tenant is asked about. */
  total(tid: string, metric: Metric): number | Promise<number> {
    const now = this.#clock.now();
    const month = this.#monthOf(now);
    let entry = this.#entries.get(tid);
    if (entry === undefined || entry.month !== month) {
      entry = { month, fleet: zeroTotals(), own: zeroTotals(), lastUsed: now, loading: undefined };
      this.#entries.set(tid, entry);
      const target = entry;
      entry.loading = this.#read(month, [tid]).finally(() => {
        target.loading = undefined;
      });
    }
    entry.lastUsed = now;
    if (entry.loading !== undefined) {
      const target = entry;
      return entry.loading.then(() => target.fleet[metric] + target.own[metric]);
    }
    return entry.fleet[metric] + entry.own[metric];
  }

  /** One more of `metric` served here (counted until the next read brings it back from the fleet's figures). */
  count(tid: string, metric: Metric): void {
    const entry = this.#entries.get(tid);
    if (entry !== undefined) entry.own[metric]++;
  }

  /** Read the fleet's figures again for every tenant asked about lately; forget the others. */
  async refresh(): Promise<void> {
    const now = this.#clock.now();
    const month = this.#monthOf(now);
    const tids: string[] = [];
    for (const [tid, entry] of this.#entries) {
      if (now - entry.lastUsed > this.#idleMs || entry.month !== month) this.#entries.delete(tid);
      else if (entry.loading === undefined) tids.push(tid);
    }
    // Batches keep one pipeline's reply small on a node with many tenants.
    for (let i = 0; i < tids.length; i += 500) await this.#read(month, tids.slice(i, i + 500));
  }

  /** Refresh every `refreshMs` until stopped. */
  start(): () => void {
    const timer = setInterval(() => void this.refresh().catch(this.#onError), this.#refreshMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  async #read(month: string, tids: readonly string[]): Promise<void> {
    // What was counted here before the read was sent is in the fleet's figures (or will be, after the metering flush).
    const sent = new Map(tids.map((tid) => [tid, { ...this.#entries.get(tid)?.own }]));
    let totals: Map<string, MonthTotals>;
    try {
      totals = await this.#source.read(month, tids);
    } catch (err) {
      // Fail open: without the fleet's figures a cap is checked against this node's own counts.
      this.#onError(err);
      return;
    }
    for (const tid of tids) {
      const entry = this.#entries.get(tid);
      const fleet = totals.get(tid);
      if (entry === undefined || entry.month !== month || fleet === undefined) continue;
      entry.fleet = fleet;
      const before = sent.get(tid)!;
      for (const metric in entry.own) entry.own[metric as Metric] -= before[metric as Metric] ?? 0;
    }
  }

  #monthOf(now: number): string {
    if (now >= this.#monthEnd || this.#month === '') {
      this.#month = utcMonth(now);
      const [y, m] = this.#month.split('-').map(Number) as [number, number];
      this.#monthEnd = Date.UTC(y, m, 1); // the first instant of the next month (month index m is next month)
    }
    return this.#month;
  }
}
