import type { Db } from '../db/database.ts';
import type { KeyStatus } from '../db/schema.ts';
import type { EncryptionAlgorithm, KeyAlgorithm, KeyBackend } from '../jose/algorithms.ts';

/** The algorithms a tenant key can be made for: those the JOSE registry lets a backend hold. */
export type { EncryptionAlgorithm, KeyAlgorithm };
export type KeyBackendName = KeyBackend;

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
  alg: KeyAlgorithm;
  use: 'sig' | 'enc';
  backend: KeyBackendName;
  /** Derived from the timestamps at the time the key was read. */
  status: KeyStatus;
  jwk: PublicJwk;
  createdAt: Date;
  activatedAt: Date;
  retiredAt: Date | null;
  revokedAt: Date | null;
}

/** The key a caller wants to use: enough to route and check it without a database read. */
export interface KeyRef {
  kid: string;
  alg: KeyAlgorithm;
}

export interface KeySpec {
  alg: KeyAlgorithm;
  rsaKeySize: 2048 | 3072 | 4096;
}

export interface GenerateOptions {
  /** When the keys start signing; now (the default) or later, for a pre-published rotation. */
  activateAt?: Date;
  /** Write the key rows through this executor (a transaction) instead of the store's own. */
  executor?: Db;
}

/**
 * A tenant's asymmetric keys: generated inside the backend (an HSM token, or
 * node:crypto with the private part sealed at rest), their lifecycle
 * (pending → active → retired → revoked, from timestamps), and the two private
 * operations. Every call names its tenant; no implementation serves one
 * tenant's key to another.
 */
export interface KeyStore {
  readonly backend: KeyBackendName;
  /** Prepare the tenant's key container (its HSM token); idempotent. */
  ensureTenant(tid: string): Promise<void>;
  /** Remove the tenant's key container and every key in it; idempotent. */
  destroyTenant(tid: string): Promise<void>;
  generate(tid: string, specs: readonly KeySpec[], options?: GenerateOptions): Promise<KeyInfo[]>;
  /** Sign a JWS signing input (`b64(header).b64(payload)`) with an active signing key. */
  sign(tid: string, key: KeyRef, signingInput: Uint8Array): Promise<Uint8Array>;
  /** Decrypt a JWE encrypted key (RSA-OAEP / RSA-OAEP-256) with a published encryption key. */
  decrypt(tid: string, key: KeyRef, encryptedKey: Uint8Array): Promise<Uint8Array>;
  /** Destroy the private part of a key (after it has been revoked). */
  destroyKey(tid: string, kid: string): Promise<void>;
  /** Drop what this process cached about a tenant's keys (they changed elsewhere). */
  forgetTenant(tid: string): void;
  /** Throws when the backend cannot serve requests (HSM gone, library failing). */
  health(): Promise<void>;
}

export class KeyNotFoundError extends Error {
  constructor(tid: string, kid: string) {
    super(`no usable key ${kid} for tenant ${tid}`);
    this.name = 'KeyNotFoundError';
  }
}

/** The backend cannot serve this tenant right now (HSM unreachable, PIN refused, …). */
export class KeyStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeyStoreUnavailableError';
  }
}
