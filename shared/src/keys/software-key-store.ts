import { createPrivateKey, generateKeyPair as generateKeyPairCb, sign as signCb, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint } from 'jose';
import type { SigningAlgorithm } from '../config/tenant-config.ts';
import type { MasterKey } from '../crypto/master-key.ts';
import type { Db } from '../db/database.ts';
import { ALGORITHMS, signOptions } from './algorithms.ts';
import { KeyNotFoundError, type GenerateOptions, type KeyInfo, type KeyStore, type PublicJwk } from './key-store.ts';
import { rowToKeyInfo } from './published-keys.ts';

const generateKeyPair = promisify(generateKeyPairCb) as (
  type: string,
  options: Record<string, unknown>,
) => Promise<{ publicKey: KeyObject; privateKey: KeyObject }>;
const signAsync = promisify(signCb);

function keyPairFor(alg: SigningAlgorithm, rsaKeySize: number) {
  const spec = ALGORITHMS[alg];
  if (spec.kty === 'RSA') return generateKeyPair('rsa', { modulusLength: rsaKeySize });
  if (spec.kty === 'EC') return generateKeyPair('ec', { namedCurve: spec.crv });
  return generateKeyPair('ed25519', {});
}

const sealContext = (tid: string, kid: string) => `tessera:tenant-key:${tid}:${kid}`;


/**
 * Keys made with node:crypto; the private part is stored in Postgres sealed
 * under the master key (AES-256-GCM, bound to tenant and kid). The default
 * only where no PKCS#11 module is configured.
 */
export class SoftwareKeyStore implements KeyStore {
  readonly backend = 'software' as const;
  readonly #db: Db;
  readonly #masterKey: MasterKey;
  /** Opened private keys; an entry is only ever looked up with its own tenant id. */
  readonly #opened = new Map<string, KeyObject>();

  constructor(db: Db, masterKey: MasterKey) {
    this.#db = db;
    this.#masterKey = masterKey;
  }

  async generate(tid: string, algorithms: readonly SigningAlgorithm[], options: GenerateOptions): Promise<KeyInfo[]> {
    const now = new Date();
    const rows = await Promise.all(
      algorithms.map(async (alg) => {
        const { publicKey, privateKey } = await keyPairFor(alg, options.rsaKeySize);
        const exported = publicKey.export({ format: 'jwk' }) as Record<string, string>;
        const kid = await calculateJwkThumbprint(exported as never, 'sha256');
        const jwk = { ...exported, kid, alg, use: 'sig' } as PublicJwk;
        const der = privateKey.export({ format: 'der', type: 'pkcs8' });
        return {
          tid,
          kid,
          alg,
          use: 'sig' as const,
          backend: 'software' as const,
          status: options.status,
          public_jwk: JSON.stringify(jwk),
          private_sealed: this.#masterKey.seal(der, sealContext(tid, kid)),
          created_at: now,
          activated_at: options.status === 'active' ? now : null,
          retired_at: null,
          revoked_at: null,
        };
      }),
    );
    if (rows.length > 0) await (options.executor ?? this.#db).insertInto('tenant_keys').values(rows).execute();
    return rows.map((r) => rowToKeyInfo({ ...r, public_jwk: JSON.parse(r.public_jwk) }));
  }

  async sign(tid: string, kid: string, signingInput: Uint8Array): Promise<Uint8Array> {
    const cacheKey = `${tid}\u0000${kid}`;
    let entry = this.#opened.get(cacheKey);
    const row = await this.#db
      .selectFrom('tenant_keys')
      .select(['alg', 'private_sealed', 'status'])
      .where('tid', '=', tid)
      .where('kid', '=', kid)
      .where('backend', '=', 'software')
      .executeTakeFirst();
    if (!row || row.status !== 'active' || !row.private_sealed) throw new KeyNotFoundError(tid, kid);
    if (!entry) {
      entry = createPrivateKey({ key: this.#masterKey.open(row.private_sealed, sealContext(tid, kid)), format: 'der', type: 'pkcs8' });
      this.#opened.set(cacheKey, entry);
    }
    const alg = row.alg as SigningAlgorithm;
    return signAsync(ALGORITHMS[alg].hash, signingInput, signOptions(alg, entry));
  }
}
