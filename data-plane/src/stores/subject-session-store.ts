import type { Redis } from 'ioredis';
import { checkIdentifier, mintIdentifier, tokenHash } from '@tessera/shared/tokens/identifiers';

/** A subject (SSO) session: who is logged in, since when. */
export interface SubjectSession {
  sub: string;
  /** Authentication time, seconds since the epoch. */
  authTime: number;
  acr?: string;
  amr?: string[];
  creationTime: number;
  /** Seconds the session may live in all. */
  maxLife: number;
  data?: Record<string, unknown>;
}

/** Default session life until the login issue makes it configurable. */
export const DEFAULT_SESSION_MAX_LIFE = 8 * 3600;

const key = (tid: string, sid: string) => `sess:${tid}:${tokenHash(sid)}`;

/**
 * Subject sessions in Redis, keyed by the SHA-256 of their id; the id is an
 * HMAC-tagged identifier (purpose `sid`), so a forged one is refused before
 * Redis is asked.
 */
export class SubjectSessionStore {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async create(tid: string, hmacKey: Uint8Array, session: SubjectSession): Promise<string> {
    const sid = mintIdentifier(hmacKey, 'sid');
    await this.#redis.set(key(tid, sid), JSON.stringify(session), 'EX', session.maxLife);
    return sid;
  }

  async get(tid: string, hmacKey: Uint8Array, sid: string): Promise<SubjectSession | null> {
    if (!checkIdentifier(hmacKey, 'sid', sid)) return null;
    const raw = await this.#redis.get(key(tid, sid));
    return raw ? (JSON.parse(raw) as SubjectSession) : null;
  }
}
