import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

/** A new bearer token: 32 random bytes, base64url (43 characters, no padding). */
export const mintApiToken = (): string => randomBytes(32).toString('base64url');

/** Constant-time comparison of two hex SHA-256 digests. */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y);
}

/** The bearer credential of an `Authorization` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  return match?.[1] ?? null;
}

/**
 * Check a presented bearer token against configured SHA-256 hashes. Every
 * configured hash is compared (no early exit) so timing does not reveal which.
 */
export function matchesAnyHash(presented: string, hashes: readonly string[]): boolean {
  const digest = sha256Hex(presented);
  let found = false;
  for (const hash of hashes) found = digestsEqual(digest, hash) || found;
  return found;
}
