import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { Clock } from '../ports/clock.ts';
import type { RateWindow } from './token-rate-window.ts';

/** What this node holds of one key's current window. */
interface Lease {
  /** Points taken from the shared limiter and not yet served. */
  points: number;
  /** When the shared window these points belong to ends (ms, by the clock): unused points die with it. */
  expiresAt: number;
  /** The shared window has nothing left: refuse here until `expiresAt`, without asking again. */
  exhausted: boolean;
  /** A request for more points in flight: later requests wait for it rather than send their own. */
  pending: Promise<void> | undefined;
  /** Requests waiting for points: the next request asks for at least as many (a burst costs few round trips). */
  waiting: number;
}

/**
 * The points one call takes: one for small limits (exact), up to 100 for
 * large ones. What a node leased and did not serve before its window ends
 * is lost (the fleet refuses a little early, never late): at most k − 1 per
 * node, so with k ≤ points / 200 ten nodes lose at most 5 % of a window.
 */
export const leaseSize = (points: number): number => Math.max(1, Math.min(100, Math.floor(points / 200)));

/**
 * A shared rate limit (rate-limiter-flexible, Redis on a data plane) asked
 * once per k requests instead of once per request: a Redis round trip costs
 * about 15 % of a token request's CPU, so each node takes k points of the
 * key's window in one `consume` and serves them from memory until they run
 * out or the window ends. A window found exhausted is refused locally until
 * it ends (the limiter's msBeforeNext), so refusals cost no I/O either.
 * Requests that arrive while points are being fetched wait for that fetch,
 * and the next fetch asks for as many points as there are waiters, so a
 * burst on one node costs a few round trips, not one per request.
 * Counting stays exact: a `consume(k)` that overshoots the window still tells
 * how many of its k points were left (the counter is incremented atomically,
 * so each caller's k points are its own), and those are served.
 *
 * `take` answers synchronously (0: allowed; n > 0: refused, retry in n ms)
 * unless it must ask the shared limiter; then a promise of the same.
 */
export class LeasedRateLimiter {
  readonly #limiterFor: (window: RateWindow) => RateLimiterAbstract;
  readonly #limiters = new Map<string, RateLimiterAbstract>();
  readonly #leases = new Map<string, Lease>();
  readonly #clock: Clock;
  readonly #onError: (err: unknown) => void;

  constructor(
    limiterFor: (window: RateWindow) => RateLimiterAbstract,
    clock: Clock,
    onError: (err: unknown) => void = () => {},
  ) {
    this.#limiterFor = limiterFor;
    this.#clock = clock;
    this.#onError = onError;
  }

  take(key: string, window: RateWindow): number | Promise<number> {
    const now = this.#clock.now();
    const lease = this.#leases.get(key);
    if (lease !== undefined && lease.expiresAt > now) {
      if (lease.points > 0) {
        lease.points--;
        return 0;
      }
      if (lease.exhausted) return lease.expiresAt - now;
    }
    return this.#wait(key, window, lease);
  }

  async #wait(key: string, window: RateWindow, seen: Lease | undefined): Promise<number> {
    let lease = seen;
    if (lease === undefined) {
      lease = { points: 0, expiresAt: 0, exhausted: false, pending: undefined, waiting: 0 };
      this.#leases.set(key, lease);
    }
    lease.waiting++;
    try {
      await this.#refill(key, window, lease);
    } finally {
      lease.waiting--;
    }
    return this.take(key, window);
  }

  /** Take more points of the key's window (one request at a time per key on this node). */
  #refill(key: string, window: RateWindow, lease: Lease): Promise<void> {
    if (lease.pending !== undefined) return lease.pending;
    const k = Math.min(window.points, Math.max(leaseSize(window.points), lease.waiting));
    const target = lease;
    const done = this.#limiter(window)
      .consume(key, k)
      .then(
        (res) => this.#granted(target, k, res.msBeforeNext, false),
        (err: unknown) => {
          if (!(err instanceof RateLimiterRes)) {
            // Neither Redis nor the in-memory insurance answered: serve this one request (fail open).
            this.#onError(err);
            this.#granted(target, 1, 1000, false);
            return;
          }
          // Overshot: the points of ours below the window's size are still ours.
          const left = Math.min(k, Math.max(0, window.points - (err.consumedPoints - k)));
          this.#granted(target, left, err.msBeforeNext, true);
        },
      )
      .finally(() => {
        target.pending = undefined;
      });
    lease.pending = done;
    return done;
  }

  #granted(lease: Lease, points: number, msBeforeNext: number, exhausted: boolean): void {
    lease.points = points;
    lease.expiresAt = this.#clock.now() + Math.max(1, msBeforeNext);
    lease.exhausted = exhausted;
  }

  /** One limiter per window shape (plans have a handful); keys are tenants. */
  #limiter(window: RateWindow): RateLimiterAbstract {
    const id = `${window.points}/${window.duration}`;
    let limiter = this.#limiters.get(id);
    if (limiter === undefined) this.#limiters.set(id, (limiter = this.#limiterFor(window)));
    return limiter;
  }
}
