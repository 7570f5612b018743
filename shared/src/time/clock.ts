/**
 * Where time comes from. Everything that decides validity or expiry (token
 * lifetimes, session limits, code expiry, replay windows, key status) asks a
 * Clock, so a test can move time instead of waiting for it.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The process's wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Whole seconds since the epoch (JWT NumericDate), by `clock`. */
export const epochSeconds = (clock: Clock): number => Math.floor(clock.now() / 1000);

/** The time of `clock` as a Date. */
export const clockDate = (clock: Clock): Date => new Date(clock.now());

/** A clock that moves only when told: for tests, in place of waiting. */
export class ManualClock implements Clock {
  #ms: number;

  /** Starts at `startMs` (default: the wall clock now, so real TTL-keeping stores agree with it). */
  constructor(startMs: number = Date.now()) {
    this.#ms = startMs;
  }

  now(): number {
    return this.#ms;
  }

  advance(ms: number): void {
    this.#ms += ms;
  }

  advanceSeconds(seconds: number): void {
    this.#ms += seconds * 1000;
  }

  set(ms: number): void {
    this.#ms = ms;
  }
}
