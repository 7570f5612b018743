import type { Redis } from 'ioredis';
import { type Clock, epochSeconds, systemClock } from '../ports/clock.ts';
import {
  newRequestUri,
  type PushedRecord,
  type PushedRequestStore,
  plausibleRequestUri,
  requestUriHash,
} from '../ports/pushed-request-store.ts';

const key = (tid: string, requestUri: string) => `par:${tid}:${requestUriHash(requestUri)}`;

/** Pushed authorisation requests in Redis under the SHA-256 of their URI, with the PAR lifetime as TTL, taken with GETDEL. */
export class RedisPushedRequestStore implements PushedRequestStore {
  readonly #redis: Redis;
  readonly #clock: Clock;

  constructor(redis: Redis, clock: Clock = systemClock) {
    this.#redis = redis;
    this.#clock = clock;
  }

  async put(
    tid: string,
    clientId: string,
    params: Record<string, string>,
    lifetime = 60,
  ): Promise<{ request_uri: string; expires_in: number }> {
    const requestUri = newRequestUri();
    await this.#redis.set(
      key(tid, requestUri),
      JSON.stringify({ cid: clientId, params, exp: epochSeconds(this.#clock) + lifetime } satisfies PushedRecord),
      'EX',
      lifetime,
    );
    return { request_uri: requestUri, expires_in: lifetime };
  }

  async take(tid: string, clientId: string, requestUri: string): Promise<Record<string, string> | null> {
    if (!plausibleRequestUri(requestUri)) return null;
    const raw = await this.#redis.getdel(key(tid, requestUri));
    if (!raw) return null;
    const pushed = JSON.parse(raw) as PushedRecord;
    return pushed.cid === clientId && pushed.exp > epochSeconds(this.#clock) ? pushed.params : null;
  }
}
