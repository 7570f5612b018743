import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The master key seals secrets at rest (software private keys, HSM PINs,
 * per-tenant secret keys) with AES-256-GCM. The additional data binds each
 * sealed value to its owner, so a value copied to another tenant's row
 * does not open.
 */
export class MasterKey {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('master key must be 32 bytes');
    this.#key = Buffer.from(key);
  }

  /** From `TESSERA_MASTER_KEY` (base64url) or the file named by `TESSERA_MASTER_KEY_FILE`. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): MasterKey {
    const inline = env.TESSERA_MASTER_KEY;
    const file = env.TESSERA_MASTER_KEY_FILE;
    const encoded = inline ?? (file ? readFileSync(file, 'utf8').trim() : undefined);
    if (!encoded) throw new Error('no master key: set TESSERA_MASTER_KEY or TESSERA_MASTER_KEY_FILE');
    const key = Buffer.from(encoded, 'base64url');
    if (key.length !== 32) throw new Error('the master key must be 32 bytes, base64url-encoded');
    return new MasterKey(key);
  }

  static generateEncoded(): string {
    return randomBytes(32).toString('base64url');
  }

  /** A key for one purpose, derived with HKDF-SHA256 (`info` names the purpose); the master key itself never leaves. */
  derive(info: string, length = 32): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#key, Buffer.alloc(0), Buffer.from(info, 'utf8'), length));
  }

  seal(plaintext: Buffer, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return `v1.${iv.toString('base64url')}.${ct.toString('base64url')}`;
  }

  open(sealed: string, aad: string): Buffer {
    const [version, ivPart, ctPart] = sealed.split('.');
    if (version !== 'v1' || !ivPart || !ctPart) throw new Error('unrecognised sealed value');
    const iv = Buffer.from(ivPart, 'base64url');
    const data = Buffer.from(ctPart, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
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
