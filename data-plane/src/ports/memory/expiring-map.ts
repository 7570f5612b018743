import type { Clock } from '../clock.ts';

interface Entry {
  value: string;
  /** Milliseconds since the epoch (by the clock); undefined = no expiry. */
  expiresAt: number | undefined;
}

/**
 * The in-memory stores' storage: string values with an expiry judged by a
 * Clock, and the few atomic operations the Redis stores rely on (set if
 * absent, replace if present keeping the expiry, get and delete). Values are
 * kept serialised, so a caller never holds a reference into the store.
 */
export class ExpiringMap {
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt !== undefined && entry.expiresAt <= this.#clock.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  get(key: string): string | null {
    return this.#live(key)?.value ?? null;
  }

  /** Set `value` for `ttlSeconds` (undefined: no expiry). */
  set(key: string, value: string, ttlSeconds?: number): void {
    this.#entries.set(key, {
      value,
      expiresAt: ttlSeconds === undefined ? undefined : this.#clock.now() + ttlSeconds * 1000,
    });
  }

  /** Set only when absent (Redis SET NX); true when set. */
  setIfAbsent(key: string, value: string, ttlSeconds?: number): boolean {
    if (this.#live(key)) return false;
    this.set(key, value, ttlSeconds);
    return true;
  }

  /** Replace only when present, keeping its expiry (Redis SET KEEPTTL XX); true when replaced. */
  replace(key: string, value: string): boolean {
    const entry = this.#live(key);
    if (!entry) return false;
    entry.value = value;
    return true;
  }

  /** Get and delete (Redis GETDEL). */
  take(key: string): string | null {
    const entry = this.#live(key);
    this.#entries.delete(key);
    return entry?.value ?? null;
  }

  /** True when there was a live entry. */
  delete(key: string): boolean {
    const live = this.#live(key) !== undefined;
    this.#entries.delete(key);
    return live;
  }
}
