import { calculateJwkThumbprint } from 'jose';
import type { Db } from '../db/database.ts';
import { ALGORITHMS } from './algorithms.ts';
import { usableFor } from './key-lifecycle.ts';
import {
  type GenerateOptions,
  type KeyBackendName,
  type KeyInfo,
  KeyNotFoundError,
  type KeyRef,
  type KeySpec,
  type KeyStore,
  type PublicJwk,
} from './key-store.ts';
import { rowToKeyInfo } from './published-keys.ts';

/** Key material a backend created: the public JWK members, and how to bind it to its kid. */
export interface CreatedMaterial {
  publicJwk: Record<string, string>;
  /** Called once the kid (RFC 7638 thumbprint) is known; returns the sealed private part, if stored here. */
  bind(kid: string): Promise<string | null>;
}

interface CachedKey {
  info: KeyInfo;
  privateSealed: string | null;
}

/**
 * The lifecycle and bookkeeping both backends share: key rows in Postgres
 * (public JWK, timestamps), kids as thumbprints, and a per-process cache of
 * key metadata so a private operation does not read the database. Backends
 * supply the material and the private operations.
 */
export abstract class DbKeyStore implements KeyStore {
  abstract readonly backend: KeyBackendName;
  protected readonly db: Db;
  /** `tid \0 kid` → metadata; a tenant's entries are only ever read with that tenant's id. */
  readonly #cache = new Map<string, CachedKey>();
  /** Told of every signing operation (its duration and outcome): the data plane's metrics. */
  onSign: ((backend: KeyBackendName, seconds: number, ok: boolean) => void) | undefined;

  protected constructor(db: Db) {
    this.db = db;
  }

  abstract ensureTenant(tid: string): Promise<void>;
  abstract destroyTenant(tid: string): Promise<void>;
  abstract destroyKey(tid: string, kid: string): Promise<void>;
  abstract health(): Promise<void>;
  protected abstract createMaterial(tid: string, spec: KeySpec): Promise<CreatedMaterial>;
  protected abstract signWith(
    tid: string,
    key: KeyInfo,
    privateSealed: string | null,
    input: Uint8Array,
  ): Promise<Uint8Array>;
  protected abstract decryptWith(
    tid: string,
    key: KeyInfo,
    privateSealed: string | null,
    encryptedKey: Uint8Array,
  ): Promise<Uint8Array>;

  async generate(tid: string, specs: readonly KeySpec[], options: GenerateOptions = {}): Promise<KeyInfo[]> {
    const now = new Date();
    const activatedAt = options.activateAt ?? now;
    const rows = [];
    // One at a time: HSM key generation is CPU-bound in the token, and order keeps kids deterministic per call.
    for (const spec of specs) {
      const material = await this.createMaterial(tid, spec);
      const kid = await calculateJwkThumbprint(material.publicJwk as never, 'sha256');
      const { use } = ALGORITHMS[spec.alg];
      const jwk = { ...material.publicJwk, kid, alg: spec.alg, use } as PublicJwk;
      rows.push({
        tid,
        kid,
        alg: spec.alg,
        use,
        backend: this.backend,
        public_jwk: JSON.stringify(jwk),
        private_sealed: await material.bind(kid),
        created_at: now,
        activated_at: activatedAt,
        retired_at: null,
        revoked_at: null,
      });
    }
    if (rows.length > 0) await (options.executor ?? this.db).insertInto('tenant_keys').values(rows).execute();
    return rows.map((r) => rowToKeyInfo({ ...r, public_jwk: JSON.parse(r.public_jwk) }, now));
  }

  async sign(tid: string, ref: KeyRef, signingInput: Uint8Array): Promise<Uint8Array> {
    const key = this.#cached(tid, ref) ?? (await this.#load(tid, ref));
    if (!usableFor(key.info, 'sign')) throw new KeyNotFoundError(tid, ref.kid);
    const onSign = this.onSign;
    if (!onSign) return this.signWith(tid, key.info, key.privateSealed, signingInput);
    const started = performance.now();
    try {
      const signature = await this.signWith(tid, key.info, key.privateSealed, signingInput);
      onSign(this.backend, (performance.now() - started) / 1000, true);
      return signature;
    } catch (err) {
      onSign(this.backend, (performance.now() - started) / 1000, false);
      throw err;
    }
  }

  async decrypt(tid: string, ref: KeyRef, encryptedKey: Uint8Array): Promise<Uint8Array> {
    const key = await this.#load(tid, ref);
    if (!usableFor(key.info, 'decrypt')) throw new KeyNotFoundError(tid, ref.kid);
    return this.decryptWith(tid, key.info, key.privateSealed, encryptedKey);
  }

  /** Drop cached metadata of a tenant (its keys changed: rotated, retired, revoked). */
  forgetTenant(tid: string): void {
    const prefix = `${tid}\u0000`;
    for (const key of this.#cache.keys()) if (key.startsWith(prefix)) this.#cache.delete(key);
  }

  /** The cached key, checked against the requested algorithm, without waiting; undefined on a miss. */
  #cached(tid: string, ref: KeyRef): CachedKey | undefined {
    const cached = this.#cache.get(`${tid}\u0000${ref.kid}`);
    if (cached && cached.info.alg !== ref.alg) throw new KeyNotFoundError(tid, ref.kid);
    return cached;
  }

  async #load(tid: string, ref: KeyRef): Promise<CachedKey> {
    const cacheKey = `${tid}\u0000${ref.kid}`;
    let cached = this.#cache.get(cacheKey);
    if (!cached) {
      const row = await this.db
        .selectFrom('tenant_keys')
        .selectAll()
        .where('tid', '=', tid)
        .where('kid', '=', ref.kid)
        .where('backend', '=', this.backend)
        .executeTakeFirst();
      if (!row) throw new KeyNotFoundError(tid, ref.kid);
      cached = { info: rowToKeyInfo(row), privateSealed: row.private_sealed };
      this.#cache.set(cacheKey, cached);
    }
    // The algorithm is part of the key: a request to use it with another one is refused (no alg confusion).
    if (cached.info.alg !== ref.alg) throw new KeyNotFoundError(tid, ref.kid);
    return cached;
  }
}
