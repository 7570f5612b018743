import {
  constants,
  createPrivateKey,
  generateKeyPair as generateKeyPairCb,
  type KeyObject,
  privateDecrypt,
  sign as signCb,
  sign as signSync,
} from 'node:crypto';
import { promisify } from 'node:util';
import { type Ed25519Sign, ed25519Signer } from '../crypto/ed25519-signer.ts';
import type { MasterKey } from '../crypto/master-key.ts';
import type { Db } from '../db/database.ts';
import { ALGORITHMS, signOptions } from './algorithms.ts';
import { type CreatedMaterial, DbKeyStore } from './db-key-store.ts';
import type { KeyInfo, KeySpec } from './key-store.ts';

const generateKeyPair = promisify(generateKeyPairCb) as (
  type: string,
  options: Record<string, unknown>,
) => Promise<{ publicKey: KeyObject; privateKey: KeyObject }>;
const signAsync = promisify(signCb);

export const sealContext = (tid: string, kid: string) => `tessera:tenant-key:${tid}:${kid}`;

/**
 * Keys made with node:crypto; the private part is stored in Postgres sealed
 * under the master key (AES-256-GCM, bound to tenant and kid). The default
 * only where no PKCS#11 module is configured.
 */
export class SoftwareKeyStore extends DbKeyStore {
  readonly backend = 'software' as const;
  readonly #masterKey: MasterKey;
  /** Opened private keys, by `tid \0 kid`. */
  readonly #opened = new Map<string, KeyObject>();
  /** Ed25519 signers (libsodium) of opened keys, by `tid \0 kid`. */
  readonly #ed25519 = new Map<string, Ed25519Sign>();

  constructor(db: Db, masterKey: MasterKey) {
    super(db);
    this.#masterKey = masterKey;
  }

  async ensureTenant(): Promise<void> {
    // Software keys need no container of their own.
  }

  async destroyTenant(tid: string): Promise<void> {
    this.forgetTenant(tid);
    await this.db
      .updateTable('tenant_keys')
      .set({ private_sealed: null })
      .where('tid', '=', tid)
      .where('backend', '=', 'software')
      .execute();
  }

  async destroyKey(tid: string, kid: string): Promise<void> {
    this.#opened.delete(`${tid}\u0000${kid}`);
    this.#ed25519.delete(`${tid}\u0000${kid}`);
    this.forgetTenant(tid);
    await this.db
      .updateTable('tenant_keys')
      .set({ private_sealed: null })
      .where('tid', '=', tid)
      .where('kid', '=', kid)
      .where('backend', '=', 'software')
      .execute();
  }

  override forgetTenant(tid: string): void {
    super.forgetTenant(tid);
    const prefix = `${tid}\u0000`;
    for (const key of this.#opened.keys()) if (key.startsWith(prefix)) this.#opened.delete(key);
    for (const key of this.#ed25519.keys()) if (key.startsWith(prefix)) this.#ed25519.delete(key);
  }

  async health(): Promise<void> {
    // node:crypto is always there.
  }

  protected async createMaterial(_tid: string, spec: KeySpec): Promise<CreatedMaterial> {
    const algorithm = ALGORITHMS[spec.alg];
    const { publicKey, privateKey } =
      algorithm.kty === 'RSA'
        ? await generateKeyPair('rsa', { modulusLength: spec.rsaKeySize })
        : algorithm.kty === 'EC'
          ? await generateKeyPair('ec', { namedCurve: algorithm.crv })
          : await generateKeyPair('ed25519', {});
    return {
      publicJwk: publicKey.export({ format: 'jwk' }) as Record<string, string>,
      bind: async (kid) =>
        this.#masterKey.seal(privateKey.export({ format: 'der', type: 'pkcs8' }), sealContext(_tid, kid)),
    };
  }

  #open(tid: string, key: KeyInfo, sealed: string | null): KeyObject {
    const cacheKey = `${tid}\u0000${key.kid}`;
    let opened = this.#opened.get(cacheKey);
    if (!opened) {
      if (!sealed) throw new Error(`key ${key.kid} has no private part`);
      opened = createPrivateKey({
        key: this.#masterKey.open(sealed, sealContext(tid, key.kid)),
        format: 'der',
        type: 'pkcs8',
      });
      this.#opened.set(cacheKey, opened);
    }
    return opened;
  }

  protected async signWith(tid: string, key: KeyInfo, sealed: string | null, input: Uint8Array): Promise<Uint8Array> {
    const spec = ALGORITHMS[key.alg];
    if (spec.kty === 'OKP') {
      const cacheKey = `${tid}\u0000${key.kid}`;
      let signEd25519 = this.#ed25519.get(cacheKey);
      if (!signEd25519) this.#ed25519.set(cacheKey, (signEd25519 = ed25519Signer(this.#open(tid, key, sealed))));
      return signEd25519(input);
    }
    const options = signOptions(key.alg, this.#open(tid, key, sealed));
    // EdDSA and ECDSA sign in tens of microseconds: a hop to the thread pool costs as much as it saves.
    // RSA takes a millisecond or more and goes to the pool so the event loop keeps serving.
    if (spec.kty !== 'RSA') return signSync(spec.hash, input, options);
    return signAsync(spec.hash, input, options);
  }

  protected async decryptWith(
    tid: string,
    key: KeyInfo,
    sealed: string | null,
    encryptedKey: Uint8Array,
  ): Promise<Uint8Array> {
    return privateDecrypt(
      {
        key: this.#open(tid, key, sealed),
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: ALGORITHMS[key.alg].hash!,
      },
      encryptedKey,
    );
  }
}
