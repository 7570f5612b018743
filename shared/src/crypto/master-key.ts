import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** HKDF `info` of a key's id: a fingerprint that names the key in sealed values without revealing it. */
const KEY_ID_INFO = 'tessera:master-key-id:v1';

/** A key's id: the first 8 bytes of HKDF-SHA256 of the key, base64url (11 characters, never a `.`). */
export function masterKeyId(key: Buffer): string {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), Buffer.from(KEY_ID_INFO, 'utf8'), 8)).toString(
    'base64url',
  );
}

function decodeKey(encoded: string, what: string): Buffer {
  const key = Buffer.from(encoded.trim(), 'base64url');
  if (key.length !== 32) throw new Error(`${what} must be 32 bytes, base64url-encoded`);
  return key;
}

/**
 * The master key seals secrets at rest (software private keys, HSM PINs,
 * per-tenant secret keys, client and plugin secrets) with AES-256-GCM. The
 * additional data binds each sealed value to its owner, so a value copied to
 * another tenant's row does not open.
 *
 * Rotation: it holds the current key and any previous ones. New values are
 * `v2.<kid>.<iv>.<ct>` under the current key; `v2` values open with the key
 * their kid names, older `v1.<iv>.<ct>` values (no kid) with the current key,
 * then each previous one. `reseal-main.ts` moves every stored value to the
 * current key, after which the previous keys can be dropped.
 */
export class MasterKey {
  readonly #key: Buffer;
  readonly #kid: string;
  /** Every key that opens values, the current one first. */
  readonly #keys: Array<{ kid: string; key: Buffer }>;

  constructor(key: Buffer, previous: readonly Buffer[] = []) {
    if (key.length !== 32) throw new Error('master key must be 32 bytes');
    if (previous.some((k) => k.length !== 32)) throw new Error('previous master keys must be 32 bytes');
    this.#key = Buffer.from(key);
    this.#kid = masterKeyId(this.#key);
    this.#keys = [{ kid: this.#kid, key: this.#key }];
    for (const k of previous) {
      const kid = masterKeyId(k);
      if (!this.#keys.some((known) => known.kid === kid)) this.#keys.push({ kid, key: Buffer.from(k) });
    }
  }

  /**
   * From `TESSERA_MASTER_KEY` (base64url) or the file named by `TESSERA_MASTER_KEY_FILE`;
   * previous keys (comma-separated base64url) from `TESSERA_MASTER_KEY_PREVIOUS` or `TESSERA_MASTER_KEY_PREVIOUS_FILE`.
   */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): MasterKey {
    const inline = env.TESSERA_MASTER_KEY;
    const file = env.TESSERA_MASTER_KEY_FILE;
    const encoded = inline ?? (file ? readFileSync(file, 'utf8').trim() : undefined);
    if (!encoded) throw new Error('no master key: set TESSERA_MASTER_KEY or TESSERA_MASTER_KEY_FILE');
    const previousFile = env.TESSERA_MASTER_KEY_PREVIOUS_FILE;
    const previousList =
      env.TESSERA_MASTER_KEY_PREVIOUS ?? (previousFile ? readFileSync(previousFile, 'utf8') : undefined) ?? '';
    const previous = previousList
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((part) => decodeKey(part, 'each previous master key'));
    return new MasterKey(decodeKey(encoded, 'the master key'), previous);
  }

  static generateEncoded(): string {
    return randomBytes(32).toString('base64url');
  }

  /** The id of the current key, as written into new sealed values. */
  get kid(): string {
    return this.#kid;
  }

  /**
   * A key for one purpose, derived with HKDF-SHA256 (`info` names the purpose); the master key itself never leaves.
   * Always from the current key: what is derived from a previous key (admin JWTs) ends with the rotation.
   */
  derive(info: string, length = 32): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#key, Buffer.alloc(0), Buffer.from(info, 'utf8'), length));
  }

  seal(plaintext: Buffer, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return `v2.${this.#kid}.${iv.toString('base64url')}.${ct.toString('base64url')}`;
  }

  open(sealed: string, aad: string): Buffer {
    const parts = sealed.split('.');
    if (parts[0] === 'v2' && parts.length === 4 && parts[2] && parts[3]) {
      const known = this.#keys.find((k) => k.kid === parts[1]);
      if (!known) throw new Error(`sealed under an unknown master key (kid ${parts[1]})`);
      return decrypt(known.key, parts[2], parts[3], aad);
    }
    if (parts[0] === 'v1' && parts.length === 3 && parts[1] && parts[2]) {
      // No kid: the current key first (the usual case), then each previous one.
      let failure: unknown;
      for (const { key } of this.#keys) {
        try {
          return decrypt(key, parts[1], parts[2], aad);
        } catch (err) {
          failure = err;
        }
      }
      throw failure;
    }
    throw new Error('unrecognised sealed value');
  }

  /** Whether `sealed` is already under the current key (re-sealing skips it). */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(`v2.${this.#kid}.`);
  }

  /** `sealed` under the current key: opened with whichever key it was sealed with, sealed again; null when already current. */
  reseal(sealed: string, aad: string): string | null {
    return this.isCurrent(sealed) ? null : this.seal(this.open(sealed, aad), aad);
  }

  /** `seal` of a UTF-8 string (a client secret, a tenant's plugin secret). */
  sealText(plaintext: string, aad: string): string {
    return this.seal(Buffer.from(plaintext, 'utf8'), aad);
  }

  /** `open` of a value sealed with `sealText`. */
  openText(sealed: string, aad: string): string {
    return this.open(sealed, aad).toString('utf8');
  }
}

function decrypt(key: Buffer, ivPart: string, ctPart: string, aad: string): Buffer {
  const iv = Buffer.from(ivPart, 'base64url');
  const data = Buffer.from(ctPart, 'base64url');
  if (data.length < 16) throw new Error('unrecognised sealed value');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
}
