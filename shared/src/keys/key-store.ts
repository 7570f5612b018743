import type { SigningAlgorithm } from '../config/tenant-config.ts';
import type { Db } from '../db/database.ts';
import type { KeyStatus } from '../db/schema.ts';

/** A public JWK as published in `/jwks.json`: never a private member. */
export interface PublicJwk {
  kty: 'RSA' | 'EC' | 'OKP';
  kid: string;
  alg: string;
  use: 'sig' | 'enc';
  crv?: string;
  n?: string;
  e?: string;
  x?: string;
  y?: string;
}

export interface KeyInfo {
  kid: string;
  alg: SigningAlgorithm;
  use: 'sig' | 'enc';
  status: KeyStatus;
  jwk: PublicJwk;
}

export interface GenerateOptions {
  rsaKeySize: 2048 | 3072 | 4096;
  /** `active` for a tenant's first keys, `pending` for a rotation that pre-publishes. */
  status: 'pending' | 'active';
  /** Write the key rows through this executor (a transaction) instead of the store's own. */
  executor?: Db;
}

/**
 * Where a tenant's private keys live. Callers name the tenant on every call;
 * an implementation never serves one tenant's key to another tenant.
 */
export interface KeyStore {
  readonly backend: 'software' | 'pkcs11';
  /** Create one signing key per algorithm and record it (public part, status) for the tenant. */
  generate(tid: string, algorithms: readonly SigningAlgorithm[], options: GenerateOptions): Promise<KeyInfo[]>;
  /** Sign a JWS signing input (`b64(header).b64(payload)`) with the tenant's key `kid`. */
  sign(tid: string, kid: string, signingInput: Uint8Array): Promise<Uint8Array>;
}

export class KeyNotFoundError extends Error {
  constructor(tid: string, kid: string) {
    super(`no usable key ${kid} for tenant ${tid}`);
    this.name = 'KeyNotFoundError';
  }
}
