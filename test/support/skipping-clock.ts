import type { Clock } from '@tessera/shared/time/clock';

/**
 * The wall clock, moved ahead on demand: an integration test skips over a
 * wait (a grace period, a maximum idle time, the next second) instead of
 * sleeping through it. Time keeps flowing, so everything the real services
 * keep by the wall clock (Redis TTLs, PostgreSQL's now()) stays behind it,
 * never ahead, and two events are never stamped the same instant by a frozen
 * clock.
 */
export class SkippingClock implements Clock {
  #offsetMs = 0;

  now(): number {
    return Date.now() + this.#offsetMs;
  }

  skip(ms: number): void {
    this.#offsetMs += ms;
  }
}
