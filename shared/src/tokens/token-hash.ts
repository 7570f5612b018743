import { createHash } from 'node:crypto';

/** The hash OpenID Connect pairs with a JWS algorithm (Core §3.1.3.6; EdDSA/Ed25519 uses SHA-512, errata set 2). */
function hashOf(alg: string): 'sha256' | 'sha384' | 'sha512' {
  if (alg === 'EdDSA' || alg.endsWith('512')) return 'sha512';
  if (alg.endsWith('384')) return 'sha384';
  return 'sha256';
}

/**
 * `at_hash`, `c_hash`, `s_hash`: the left half of the hash of the ASCII
 * value, base64url, with the hash the ID token's `alg` implies.
 */
export function halfHash(alg: string, value: string): string {
  const digest = createHash(hashOf(alg)).update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
