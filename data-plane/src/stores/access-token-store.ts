import type { Redis } from 'ioredis';
import type { Authorization } from '@tessera/shared/authz/authorization';
import { tokenHash } from '@tessera/shared/tokens/identifiers';

/** What an identifier access token stands for, kept in Redis until it expires. */
export interface IdentifierTokenRecord {
  authz: Authorization;
  /** Issuer URL the token was issued under (tokens do not cross aliases). */
  iss: string;
  iat: number;
  exp: number;
  jti: string;
}

const key = (tid: string, token: string) => `at:${tid}:${tokenHash(token)}`;

/**
 * Identifier-based access tokens: Redis holds only the SHA-256 of the token
 * (under the tenant's id), with a TTL equal to the token's remaining life.
 */
export class AccessTokenStore {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async put(tid: string, token: string, record: IdentifierTokenRecord): Promise<void> {
    const ttl = Math.max(1, record.exp - Math.floor(Date.now() / 1000));
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
