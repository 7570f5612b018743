import type { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Reservation } from '../ports/guessing-brake.ts';
import type { UserCodeBrake } from '../ports/user-code-brake.ts';
import type { GuessingLimit } from './guessing-limits.ts';
import { sourceNetwork } from './password-brake.ts';

/**
 * Wrong user codes one source may enter in a tenant (RFC 8628 §5.1): 10 per
 * 15 minutes. Against 20^8 codes (device/user-code.ts) with, say, 1,000
 * live at once, one address needs ~2.5 million years of windows to find one;
 * a botnet is slowed by its number of addresses, and each code lives only
 * minutes. A person mistyping gets ten tries, and a right code gives its
 * count back.
 */
export const USER_CODE_LIMIT = { points: 10, duration: 15 * 60 } as const satisfies GuessingLimit;

/** The user code brake over a rate limiter (Redis on a data plane, memory in unit tests). */
export class LimiterUserCodeBrake implements UserCodeBrake {
  readonly #limiter: RateLimiterAbstract;

  constructor(limiter: RateLimiterAbstract) {
    this.#limiter = limiter;
  }

  async reserve(attempt: { tid: string; ip: string }): Promise<Reservation> {
    const key = `${attempt.tid}:${sourceNetwork(attempt.ip)}`;
    try {
      await this.#limiter.consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      return { allowed: false, retryAfter: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
    }
    return { allowed: true, succeeded: async () => void (await this.#limiter.reward(key)) };
  }
}

/** Counting in Redis (`redis` carries the data plane's key prefix). */
export const redisUserCodeBrake = (redis: Redis): UserCodeBrake =>
  new LimiterUserCodeBrake(
    new RateLimiterRedis({ storeClient: redis, keyPrefix: 'guess-user-code', ...USER_CODE_LIMIT }),
  );

/** Counting in process memory (unit tests; wall-clock windows, rate-limiter-flexible's own). */
export const memoryUserCodeBrake = (): UserCodeBrake =>
  new LimiterUserCodeBrake(new RateLimiterMemory({ keyPrefix: 'guess-user-code', ...USER_CODE_LIMIT }));
