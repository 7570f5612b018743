import type { Redis } from 'ioredis';
import { checkIdentifier, mintIdentifier, tokenHash } from '@tessera/shared/tokens/identifiers';
import type { AuthorizationRequest } from '../authz/authz-request.ts';

/** One login-page flow (authorisation session): the validated request and where it stands. */
export interface AuthzSession {
  /** The issuer URL the flow started under; it cannot change within the flow. */
  issuer: string;
  request: AuthorizationRequest;
  step: 'auth' | 'consent';
  /** The subject session the flow runs in, once there is one. */
  subSid?: string;
  /** Set when this flow created the subject session (the final message returns `sub_sid` so the UI sets its cookie). */
  createdSubSid?: boolean;
  /** Scope and claims a remembered consent already covers (shown as `consented` in the prompt). */
  consented?: { scope: string[]; claims: string[] };
  data?: Record<string, unknown>;
  createdAt: number;
}

const key = (tid: string, sid: string) => `azs:${tid}:${tokenHash(sid)}`;

/**
 * Authorisation sessions in Redis under the SHA-256 of their id, with a TTL
 * (the tenant's `authorization.sessionLifetime`). Ids are HMAC-tagged
 * (purpose `azs`): another tenant's or a forged id fails before Redis.
 */
export class AuthzSessionStore {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async create(tid: string, hmacKey: Uint8Array, session: AuthzSession, ttl: number): Promise<string> {
    const sid = mintIdentifier(hmacKey, 'azs');
    await this.#redis.set(key(tid, sid), JSON.stringify(session), 'EX', ttl);
    return sid;
  }

  async get(tid: string, hmacKey: Uint8Array, sid: string): Promise<AuthzSession | null> {
    if (!checkIdentifier(hmacKey, 'azs', sid)) return null;
    const raw = await this.#redis.get(key(tid, sid));
    return raw ? (JSON.parse(raw) as AuthzSession) : null;
  }

  /** Replace the session, keeping its expiry. */
  async update(tid: string, sid: string, session: AuthzSession): Promise<boolean> {
    return (await this.#redis.set(key(tid, sid), JSON.stringify(session), 'KEEPTTL', 'XX')) === 'OK';
  }

  /** Remove and return the session: a flow ends exactly once, even when two requests race. */
  async take(tid: string, sid: string): Promise<AuthzSession | null> {
    const raw = await this.#redis.getdel(key(tid, sid));
    return raw ? (JSON.parse(raw) as AuthzSession) : null;
  }
}
