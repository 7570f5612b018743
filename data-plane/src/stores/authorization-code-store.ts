import { checkIdentifier, mintIdentifier, tokenHash } from '@tessera/shared/tokens/identifiers';
import type { Redis } from 'ioredis';
import {
  type AuthorizationCodeStore,
  type CodeRecord,
  USED_CODE_MEMORY_SECONDS,
} from '../ports/authorization-code-store.ts';
import { type Clock, epochSeconds, systemClock } from '../ports/clock.ts';

const key = (tid: string, code: string) => `code:${tid}:${tokenHash(code)}`;
const usedKey = (tid: string, code: string) => `code-used:${tid}:${tokenHash(code)}`;

/**
 * Authorisation codes in Redis under the SHA-256 of the code, with a short
 * TTL; the first redemption sets a marker (SET NX), so of two racing
 * redemptions one wins.
 */
export class RedisAuthorizationCodeStore implements AuthorizationCodeStore {
  readonly #redis: Redis;
  readonly #clock: Clock;

  constructor(redis: Redis, clock: Clock = systemClock) {
    this.#redis = redis;
    this.#clock = clock;
  }

  async issue(tid: string, hmacKey: Uint8Array, record: CodeRecord, ttl: number): Promise<string> {
    const code = mintIdentifier(hmacKey, 'code');
    await this.#redis.set(key(tid, code), JSON.stringify(record), 'EX', ttl);
    return code;
  }

  async get(tid: string, hmacKey: Uint8Array, code: string): Promise<CodeRecord | null> {
    if (!checkIdentifier(hmacKey, 'code', code)) return null;
    const raw = await this.#redis.get(key(tid, code));
    if (!raw) return null;
    const record = JSON.parse(raw) as CodeRecord;
    return record.exp > epochSeconds(this.#clock) ? record : null;
  }

  async markUsed(tid: string, code: string): Promise<boolean> {
    return (await this.#redis.set(usedKey(tid, code), '1', 'EX', USED_CODE_MEMORY_SECONDS, 'NX')) === 'OK';
  }
}
