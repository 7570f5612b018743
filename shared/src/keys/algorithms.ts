import { constants, type KeyObject, type SignKeyObjectInput } from 'node:crypto';
import {
  ENCRYPTION_ALGORITHMS,
  JOSE_ALGORITHMS,
  type JoseCurve,
  type JoseDigest,
  SIGNING_ALGORITHMS,
} from '../jose/algorithms.ts';
import type { KeyAlgorithm } from './key-store.ts';

/** What each algorithm a tenant key can be made for needs from the key and the signer (the key stores' view of the JOSE registry). */
export interface AlgorithmSpec {
  kty: 'RSA' | 'EC' | 'OKP';
  use: 'sig' | 'enc';
  /** Curve for EC / OKP keys. */
  crv?: JoseCurve;
  /** Digest for signing (null for EdDSA, which hashes internally) or the OAEP hash. */
  hash: JoseDigest | null;
  pss?: boolean;
}

function specOf(alg: KeyAlgorithm): AlgorithmSpec {
  const entry = JOSE_ALGORITHMS[alg];
  return {
    kty: entry.keyTypes[0] as AlgorithmSpec['kty'],
    use: entry.kind === 'signature' ? 'sig' : 'enc',
    ...('crv' in entry ? { crv: entry.crv } : {}),
    hash: entry.digest,
    ...('pss' in entry ? { pss: entry.pss } : {}),
  };
}

export const ALGORITHMS: Readonly<Record<KeyAlgorithm, AlgorithmSpec>> = Object.fromEntries(
  [...SIGNING_ALGORITHMS, ...ENCRYPTION_ALGORITHMS].map((alg) => [alg, specOf(alg)]),
) as Record<KeyAlgorithm, AlgorithmSpec>;

/** Options for node's crypto.sign that produce a JWS-ready signature (raw r||s for ECDSA). */
export function signOptions(alg: KeyAlgorithm, key: KeyObject): SignKeyObjectInput {
  const spec = ALGORITHMS[alg];
  if (spec.kty === 'EC') return { key, dsaEncoding: 'ieee-p1363' };
  if (spec.pss) return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  return { key };
}
