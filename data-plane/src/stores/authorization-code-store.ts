import type { Redis } from 'ioredis';
import type { Authorization } from '@tessera/shared/authz/authorization';
import { checkIdentifier, mintIdentifier, tokenHash } from '@tessera/shared/tokens/identifiers';

/** What an authorisation code stands for and is bound to. */
export interface CodeRecord {
  authz: Authorization;
  /** Bound to: the client (authz.cid), the redirect URI, PKCE, the issuer (authz.iss). */
  redirectUri: string;
  redirectUriGiven: boolean;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  /** For the ID token. */
  nonce?: string;
  authTime?: number;
  acr?: string;
  amr?: string[];
  /** Claims of the subject session and preset ID token claims (the consented ones are read at redemption). */
  sessionClaims?: Record<string, unknown>;
  exp: number;
}

const key = (tid: string, code: string) => `code:${tid}:${tokenHash(code)}`;
const usedKey = (tid: string, code: string) => `code-used:${tid}:${tokenHash(code)}`;

/**
 * Authorisation codes in Redis under the SHA-256 of the code, with a short
 * TTL. A code redeems once: the first redemption sets a marker; the record
 * stays until it expires so that a replay can be recognised (and what the
 * code issued revoked).
 */
export class AuthorizationCodeStore {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async issue(tid: string, hmacKey: Uint8Array, record: CodeRecord, ttl: number): Promise<string> {
    const code = mintIdentifier(hmacKey, 'code');
    await this.#redis.set(key(tid, code), JSON.stringify(record), 'EX', ttl);
    return code;
  }

  /** The record of a code; null for an unknown, forged or expired code. */
  async get(tid: string, hmacKey: Uint8Array, code: string): Promise<CodeRecord | null> {
    if (!checkIdentifier(hmacKey, 'code', code)) return null;
    const raw = await this.#redis.get(key(tid, code));
    if (!raw) return null;
    const record = JSON.parse(raw) as CodeRecord;
    return record.exp > Math.floor(Date.now() / 1000) ? record : null;
  }

  /** Mark a code used; false when it already was (a replay). Atomic, so of two racing redemptions one wins. */
  async markUsed(tid: string, code: string): Promise<boolean> {
    return (await this.#redis.set(usedKey(tid, code), '1', 'EX', 900, 'NX')) === 'OK';
  }
}
