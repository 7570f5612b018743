import { constants, generateKeyPair as generateKeyPairCb, type KeyObject, privateDecrypt, sign } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint } from 'jose';
import { type Clock, systemClock } from '../time/clock.ts';
import { ALGORITHMS, signOptions } from './algorithms.ts';
import { keyStatus, usableFor } from './key-lifecycle.ts';
import {
  type GenerateOptions,
  type KeyInfo,
  KeyNotFoundError,
  type KeyRef,
  type KeySpec,
  type KeyStore,
  type PublicJwk,
} from './key-store.ts';

const generateKeyPair = promisify(generateKeyPairCb) as (
  type: string,
  options: Record<string, unknown>,
) => Promise<{ publicKey: KeyObject; privateKey: KeyObject }>;

export interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/**
 * Where key pairs come from: `index` counts the keys of this algorithm the
 * tenant already has, so a test source may hand every tenant the same few
 * pre-made pairs (RSA generation takes most of a second) without two keys of
 * one tenant sharing a kid.
 */
export type KeyPairSource = (spec: KeySpec, index: number) => Promise<KeyPair>;

/** Fresh key pairs from node:crypto. */
export const freshKeyPair: KeyPairSource = async (spec) => {
  const algorithm = ALGORITHMS[spec.alg];
  if (algorithm.kty === 'RSA') return generateKeyPair('rsa', { modulusLength: spec.rsaKeySize });
  if (algorithm.kty === 'EC') return generateKeyPair('ec', { namedCurve: algorithm.crv });
  return generateKeyPair('ed25519', {});
};

interface HeldKey {
  info: Omit<KeyInfo, 'status'>;
  privateKey: KeyObject | null;
}

/**
 * A KeyStore in process memory, for unit tests: node:crypto keys, kids as
 * RFC 7638 thumbprints, the lifecycle from timestamps judged by a Clock, and
 * the same refusals as the real stores (no key of another tenant, no use
 * with another algorithm, signing only with an active key). It reports
 * itself as the `software` backend, so KeyInfo it makes routes back to it.
 * `keys(tid)` gives what a data plane loads into a TenantContext.
 */
export class MemoryKeyStore implements KeyStore {
  readonly backend = 'software' as const;
  readonly #clock: Clock;
  readonly #keyPairs: KeyPairSource;
  /** `tid \0 kid` → key. */
  readonly #keys = new Map<string, HeldKey>();

  constructor(clock: Clock = systemClock, keyPairs: KeyPairSource = freshKeyPair) {
    this.#clock = clock;
    this.#keyPairs = keyPairs;
  }

  #now = () => new Date(this.#clock.now());
  #withStatus = (key: HeldKey): KeyInfo => ({ ...key.info, status: keyStatus(key.info, this.#now()) });

  async ensureTenant(): Promise<void> {
    // Nothing to prepare.
  }

  async destroyTenant(tid: string): Promise<void> {
    for (const k of [...this.#keys.keys()]) if (k.startsWith(`${tid}\u0000`)) this.#keys.delete(k);
  }

  async generate(tid: string, specs: readonly KeySpec[], options: GenerateOptions = {}): Promise<KeyInfo[]> {
    const now = this.#now();
    const made: KeyInfo[] = [];
    for (const spec of specs) {
      const algorithm = ALGORITHMS[spec.alg];
      const index = [...this.#keys.entries()].filter(
        ([k, key]) => k.startsWith(`${tid}\u0000`) && key.info.alg === spec.alg,
      ).length;
      const { publicKey, privateKey } = await this.#keyPairs(spec, index);
      const publicJwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
      const kid = await calculateJwkThumbprint(publicJwk as never, 'sha256');
      const jwk = { ...publicJwk, kid, alg: spec.alg, use: algorithm.use } as PublicJwk;
      const info = {
        kid,
        alg: spec.alg,
        use: algorithm.use,
        backend: this.backend,
        jwk,
        createdAt: now,
        activatedAt: options.activateAt ?? now,
        retiredAt: null,
        revokedAt: null,
      };
      const held: HeldKey = { info, privateKey };
      this.#keys.set(`${tid}\u0000${kid}`, held);
      made.push(this.#withStatus(held));
    }
    return made;
  }

  /** The tenant's published keys (not revoked), oldest first: what a TenantContext holds. */
  keys(tid: string): KeyInfo[] {
    return [...this.#keys.entries()]
      .filter(([k, key]) => k.startsWith(`${tid}\u0000`) && !key.info.revokedAt)
      .map(([, key]) => this.#withStatus(key))
      .sort((a, b) => a.activatedAt.getTime() - b.activatedAt.getTime());
  }

  /** Move a key along its lifecycle (what key rotation does to the rows). */
  setLifecycle(
    tid: string,
    kid: string,
    times: { activatedAt?: Date; retiredAt?: Date | null; revokedAt?: Date | null },
  ): void {
    const key = this.#keys.get(`${tid}\u0000${kid}`);
    if (!key) throw new KeyNotFoundError(tid, kid);
    key.info = { ...key.info, ...times };
  }

  #usable(tid: string, ref: KeyRef, operation: 'sign' | 'decrypt'): KeyObject {
    const key = this.#keys.get(`${tid}\u0000${ref.kid}`);
    if (
      !key ||
      key.info.alg !== ref.alg ||
      !key.privateKey ||
      !usableFor(this.#withStatus(key), operation, this.#now())
    )
      throw new KeyNotFoundError(tid, ref.kid);
    return key.privateKey;
  }

  async sign(tid: string, ref: KeyRef, signingInput: Uint8Array): Promise<Uint8Array> {
    const privateKey = this.#usable(tid, ref, 'sign');
    return sign(ALGORITHMS[ref.alg].hash, signingInput, signOptions(ref.alg, privateKey));
  }

  async decrypt(tid: string, ref: KeyRef, encryptedKey: Uint8Array): Promise<Uint8Array> {
    const privateKey = this.#usable(tid, ref, 'decrypt');
    return privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: ALGORITHMS[ref.alg].hash! },
      encryptedKey,
    );
  }

  async destroyKey(tid: string, kid: string): Promise<void> {
    const key = this.#keys.get(`${tid}\u0000${kid}`);
    if (key) key.privateKey = null;
  }

  forgetTenant(): void {
    // Nothing cached: the keys are the store.
  }

  async health(): Promise<void> {
    // node:crypto is always there.
  }
}
