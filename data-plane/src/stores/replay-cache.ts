import { tokenHash } from '@tessera/shared/tokens/identifiers';
import type { Redis } from 'ioredis';
import { type Clock, epochSeconds, systemClock } from '../ports/clock.ts';
import type { ReplayCache, ReplayKind, UseRecord } from '../ports/replay-cache.ts';

/** Redis key prefix per kind (a table, so a new kind is one line). */
const PREFIX: Record<ReplayKind, string> = {
  'client-assertion': 'jti',
  'refresh-token': 'rtu',
  'dpop-proof': 'dpj',
  'jwt-bearer-grant': 'jbg',
};

const key = (tid: string, kind: ReplayKind, id: string) => `${PREFIX[kind]}:${tid}:${tokenHash(id)}`;

/** Single-use ids in Redis: SET NX with the time of first use, expiring at `until`. */
export class RedisReplayCache implements ReplayCache {
  readonly #redis: Redis;
  readonly #clock: Clock;

  constructor(redis: Redis, clock: Clock = systemClock) {
    this.#redis = redis;
    this.#clock = clock;
  }

  async use(tid: string, kind: ReplayKind, id: string, until: number): Promise<UseRecord> {
    const now = epochSeconds(this.#clock);
    const k = key(tid, kind, id);
    if ((await this.#redis.set(k, String(now), 'EX', Math.max(1, until - now), 'NX')) === 'OK')
      return { first: true, usedAt: now };
    // The first use's time never changes; if it expired just now, this use is as good as the first.
    const usedAt = await this.#redis.get(k);
    return { first: false, usedAt: usedAt === null ? now : Number(usedAt) };
  }

  async usedAt(tid: string, kind: ReplayKind, id: string): Promise<number | null> {
    const usedAt = await this.#redis.get(key(tid, kind, id));
    return usedAt === null ? null : Number(usedAt);
  }
}
