import { createHash } from 'node:crypto';

/** The members RFC 7638 §3.2 hashes, per key type, in lexicographic order. */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
};

/**
 * The RFC 7638 SHA-256 thumbprint (base64url) of a public JWK, or undefined
 * for a key type it does not define or a key missing a required member.
 * Synchronous (jose's is a promise), since every DPoP proof needs one.
 */
export function jwkThumbprint(jwk: Record<string, unknown>): string | undefined {
  const members = REQUIRED[jwk.kty as string];
  if (!members) return undefined;
  const canonical: Record<string, string> = {};
  for (const name of members) {
    const value = jwk[name];
    if (typeof value !== 'string') return undefined;
    canonical[name] = value;
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}
