import { tokenHash } from '@tessera/shared/tokens/identifiers';
import type { Redis } from 'ioredis';
import type { AccessTokenStore, IdentifierTokenRecord } from '../ports/access-token-store.ts';
import { type Clock, epochSeconds, systemClock } from '../ports/clock.ts';

const key = (tid: string, token: string) => `at:${tid}:${tokenHash(token)}`;

/**
 * Identifier access tokens in Redis: the SHA-256 of the token under the
 * tenant's id, with a TTL equal to the token's remaining life.
 */
export class RedisAccessTokenStore implements AccessTokenStore {
  readonly #redis: Redis;
  readonly #clock: Clock;

  constructor(redis: Redis, clock: Clock = systemClock) {
    this.#redis = redis;
    this.#clock = clock;
  }

  async put(tid: string, token: string, record: IdentifierTokenRecord): Promise<void> {
    const ttl = Math.max(1, record.exp - epochSeconds(this.#clock));
    await this.#redis.set(key(tid, token), JSON.stringify(record), 'EX', ttl);
  }

  async get(tid: string, token: string): Promise<IdentifierTokenRecord | null> {
    const raw = await this.#redis.get(key(tid, token));
    return raw ? (JSON.parse(raw) as IdentifierTokenRecord) : null;
  }

  async delete(tid: string, token: string): Promise<void> {
    await this.#redis.del(key(tid, token));
  }
}
