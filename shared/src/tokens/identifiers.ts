import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { randomPooled } from '../crypto/random-pool.ts';

/**
 * Identifier tokens: 128 random bits plus an HMAC-SHA256 tag truncated to
 * 128 bits, keyed with the tenant's identifier key and bound to a purpose
 * (`at`, `rt`, …). A forged, mistyped or other tenant's identifier fails the
 * tag check before any store is asked; stores keep only its SHA-256.
 */
const RANDOM_BYTES = 16;
const TAG_BYTES = 16;

function tag(key: Uint8Array, purpose: string, random: Buffer): Buffer {
  return createHmac('sha256', key).update(purpose).update('\u0000').update(random).digest().subarray(0, TAG_BYTES);
}

export function mintIdentifier(key: Uint8Array, purpose: string): string {
  const random = randomPooled(RANDOM_BYTES);
  return Buffer.concat([random, tag(key, purpose, random)]).toString('base64url');
}

/** True when `token` is an identifier this key minted for `purpose` (constant time). */
export function checkIdentifier(key: Uint8Array, purpose: string, token: string): boolean {
  if (token.length !== 43 || !/^[A-Za-z0-9_-]+$/.test(token)) return false;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length !== RANDOM_BYTES + TAG_BYTES) return false;
  return timingSafeEqual(raw.subarray(RANDOM_BYTES), tag(key, purpose, raw.subarray(0, RANDOM_BYTES)));
}

/** What stores keep instead of a token. */
export const tokenHash = (token: string): string => hash('sha256', token, 'hex');

/** A fresh 128-bit identifier for `jti` claims (no tag: JWTs are signed). */
export const randomJti = (): string => randomPooled(16).toString('base64url');
