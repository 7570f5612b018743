import { constants, type KeyObject, type SignKeyObjectInput } from 'node:crypto';
import type { SigningAlgorithm } from '../config/tenant-config.ts';

/** What each JWS algorithm needs from a key and from the signer. */
export interface AlgorithmSpec {
  kty: 'RSA' | 'EC' | 'OKP';
  /** Curve for EC / OKP keys. */
  crv?: 'P-256' | 'P-384' | 'P-521' | 'Ed25519';
  /** Digest passed to crypto.sign (null for EdDSA, which hashes internally). */
  hash: 'sha256' | 'sha384' | 'sha512' | null;
  pss?: boolean;
}

export const ALGORITHMS: Record<SigningAlgorithm, AlgorithmSpec> = {
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  PS256: { kty: 'RSA', hash: 'sha256', pss: true },
  PS384: { kty: 'RSA', hash: 'sha384', pss: true },
  PS512: { kty: 'RSA', hash: 'sha512', pss: true },
  ES256: { kty: 'EC', crv: 'P-256', hash: 'sha256' },
  ES384: { kty: 'EC', crv: 'P-384', hash: 'sha384' },
  ES512: { kty: 'EC', crv: 'P-521', hash: 'sha512' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', hash: null },
};

/** Options for node's crypto.sign that produce a JWS-ready signature (raw r||s for ECDSA). */
export function signOptions(alg: SigningAlgorithm, key: KeyObject): SignKeyObjectInput {
  const spec = ALGORITHMS[alg];
  if (spec.kty === 'EC') return { key, dsaEncoding: 'ieee-p1363' };
  if (spec.pss) return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  return { key };
}
