import { checkIdentifier, mintIdentifier, tokenHash } from '@tessera/shared/tokens/identifiers';
import type { Redis } from 'ioredis';
import type { LogoutSession, LogoutSessionStore } from '../ports/logout-session-store.ts';
import { openLogoutSession, sealLogoutSession } from './logout-session-seal.ts';

const PURPOSE = 'lgs';
const key = (tid: string, sid: string) => `lgs:${tid}:${tokenHash(sid)}`;

/**
 * Logout sessions in Redis under the SHA-256 of their id, with a TTL,
 * sealed as logout-session-seal.ts says; `take` is GETDEL. Every node sees
 * the same sessions, so the confirmation may land on any of them.
 */
export class RedisLogoutSessionStore implements LogoutSessionStore {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async create(tid: string, hmacKey: Uint8Array, session: LogoutSession, ttl: number): Promise<string> {
    const sid = mintIdentifier(hmacKey, PURPOSE);
    await this.#redis.set(key(tid, sid), sealLogoutSession(sid, session), 'EX', ttl);
    return sid;
  }

  async take(tid: string, hmacKey: Uint8Array, sid: string): Promise<LogoutSession | null> {
    if (!checkIdentifier(hmacKey, PURPOSE, sid)) return null;
    const raw = await this.#redis.getdel(key(tid, sid));
    return raw ? openLogoutSession(sid, raw) : null;
  }
}
