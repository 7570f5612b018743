import { checkIdentifier, mintIdentifier, tokenHash } from '@tessera/shared/tokens/identifiers';
import type { Redis } from 'ioredis';
import type { AuthzSession, AuthzSessionStore } from '../ports/authz-session-store.ts';
import { openAuthzSession, sealAuthzSession } from './authz-session-seal.ts';

const key = (tid: string, sid: string) => `azs:${tid}:${tokenHash(sid)}`;

/**
 * Authorisation sessions in Redis under the SHA-256 of their id, with a TTL
 * (the tenant's `authorization.sessionLifetime`), sealed as
 * authz-session-seal.ts says; `update` keeps the TTL (KEEPTTL, XX) and
 * `take` is GETDEL.
 */
export class RedisAuthzSessionStore implements AuthzSessionStore {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async create(tid: string, hmacKey: Uint8Array, session: AuthzSession, ttl: number): Promise<string> {
    const sid = mintIdentifier(hmacKey, 'azs');
    await this.#redis.set(key(tid, sid), sealAuthzSession(sid, session), 'EX', ttl);
    return sid;
  }

  async get(tid: string, hmacKey: Uint8Array, sid: string): Promise<AuthzSession | null> {
    if (!checkIdentifier(hmacKey, 'azs', sid)) return null;
    const raw = await this.#redis.get(key(tid, sid));
    return raw ? openAuthzSession(sid, raw) : null;
  }

  async update(tid: string, sid: string, session: AuthzSession): Promise<boolean> {
    return (await this.#redis.set(key(tid, sid), sealAuthzSession(sid, session), 'KEEPTTL', 'XX')) === 'OK';
  }

  async take(tid: string, sid: string): Promise<AuthzSession | null> {
    const raw = await this.#redis.getdel(key(tid, sid));
    return raw ? openAuthzSession(sid, raw) : null;
  }
}
