import { constants, type KeyObject, type SignKeyObjectInput } from 'node:crypto';
import type { KeyAlgorithm } from './key-store.ts';

/** What each JOSE algorithm needs from a key and from the signer. */
export interface AlgorithmSpec {
  kty: 'RSA' | 'EC' | 'OKP';
  use: 'sig' | 'enc';
  /** Curve for EC / OKP keys. */
  crv?: 'P-256' | 'P-384' | 'P-521' | 'Ed25519';
  /** Digest for signing (null for EdDSA, which hashes internally) or the OAEP hash. */
  hash: 'sha1' | 'sha256' | 'sha384' | 'sha512' | null;
  pss?: boolean;
}

export const ALGORITHMS: Record<KeyAlgorithm, AlgorithmSpec> = {
  RS256: { kty: 'RSA', use: 'sig', hash: 'sha256' },
  RS384: { kty: 'RSA', use: 'sig', hash: 'sha384' },
  RS512: { kty: 'RSA', use: 'sig', hash: 'sha512' },
  PS256: { kty: 'RSA', use: 'sig', hash: 'sha256', pss: true },
  PS384: { kty: 'RSA', use: 'sig', hash: 'sha384', pss: true },
  PS512: { kty: 'RSA', use: 'sig', hash: 'sha512', pss: true },
  ES256: { kty: 'EC', use: 'sig', crv: 'P-256', hash: 'sha256' },
  ES384: { kty: 'EC', use: 'sig', crv: 'P-384', hash: 'sha384' },
  ES512: { kty: 'EC', use: 'sig', crv: 'P-521', hash: 'sha512' },
  EdDSA: { kty: 'OKP', use: 'sig', crv: 'Ed25519', hash: null },
  'RSA-OAEP': { kty: 'RSA', use: 'enc', hash: 'sha1' },
  'RSA-OAEP-256': { kty: 'RSA', use: 'enc', hash: 'sha256' },
};

/** Options for node's crypto.sign that produce a JWS-ready signature (raw r||s for ECDSA). */
export function signOptions(alg: KeyAlgorithm, key: KeyObject): SignKeyObjectInput {
  const spec = ALGORITHMS[alg];
  if (spec.kty === 'EC') return { key, dsaEncoding: 'ieee-p1363' };
  if (spec.pss) return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  return { key };
}
