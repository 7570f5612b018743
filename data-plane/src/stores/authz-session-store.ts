import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
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
  /** SHA-256 of the subject session the browser had when it had to log in again; ended once it has. */
  priorSession?: string;
  /** Scope and claims a remembered consent already covers (shown as `consented` in the prompt). */
  consented?: { scope: string[]; claims: string[] };
  data?: Record<string, unknown>;
  createdAt: number;
}

const key = (tid: string, sid: string) => `azs:${tid}:${tokenHash(sid)}`;

/*
 * The subject session id a flow runs in is an SSO credential: at rest it is
 * sealed (AES-256-GCM) under a key derived from the authorisation session
 * id, which Redis never sees (it keys the record by the id's plain SHA-256;
 * the seal key hashes it with a distinct prefix).
 */
const sealKey = (sid: string) => createHash('sha256').update('tessera authz-session seal\u0000').update(sid).digest();

function seal(sid: string, value: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(sid), iv);
  const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

function unseal(sid: string, sealed: string): string | undefined {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', sealKey(sid), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

type Stored = Omit<AuthzSession, 'subSid'> & { sealedSubSid?: string };

const toStored = (sid: string, session: AuthzSession): string => {
  const { subSid, ...rest } = session;
  return JSON.stringify({ ...rest, ...(subSid ? { sealedSubSid: seal(sid, subSid) } : {}) } satisfies Stored);
};

const fromStored = (sid: string, raw: string): AuthzSession => {
  const { sealedSubSid, ...rest } = JSON.parse(raw) as Stored;
  const subSid = sealedSubSid ? unseal(sid, sealedSubSid) : undefined;
  return { ...rest, ...(subSid ? { subSid } : {}) };
};

/**
 * Authorisation sessions in Redis under the SHA-256 of their id, with a TTL
 * (the tenant's `authorization.sessionLifetime`); the subject session id
 * in them is sealed (above). Ids are HMAC-tagged
 * (purpose `azs`): another tenant's or a forged id fails before Redis.
 */
export class AuthzSessionStore {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async create(tid: string, hmacKey: Uint8Array, session: AuthzSession, ttl: number): Promise<string> {
    const sid = mintIdentifier(hmacKey, 'azs');
    await this.#redis.set(key(tid, sid), toStored(sid, session), 'EX', ttl);
    return sid;
  }

  async get(tid: string, hmacKey: Uint8Array, sid: string): Promise<AuthzSession | null> {
    if (!checkIdentifier(hmacKey, 'azs', sid)) return null;
    const raw = await this.#redis.get(key(tid, sid));
    return raw ? fromStored(sid, raw) : null;
  }

  /** Replace the session, keeping its expiry. */
  async update(tid: string, sid: string, session: AuthzSession): Promise<boolean> {
    return (await this.#redis.set(key(tid, sid), toStored(sid, session), 'KEEPTTL', 'XX')) === 'OK';
  }

  /** Remove and return the session: a flow ends exactly once, even when two requests race. */
  async take(tid: string, sid: string): Promise<AuthzSession | null> {
    const raw = await this.#redis.getdel(key(tid, sid));
    return raw ? fromStored(sid, raw) : null;
  }
}
