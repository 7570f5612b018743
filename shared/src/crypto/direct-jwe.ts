import { createCipheriv, createDecipheriv } from 'node:crypto';
import { randomPooled } from './random-pool.ts';

/*
 * Compact JWE with a shared symmetric key used directly (RFC 7516 §7.1; RFC 7518 `dir` + `A256GCM`, §5.3),
 * for tokens only we read back (a transient authorisation's refresh token). Written here rather than taken
 * from jose because jose goes through WebCrypto, whose AES-GCM is an asynchronous job on the thread pool:
 * measured at about 7× the CPU of node:crypto's one-shot cipher for the same token (bench:authorize
 * profile, issue 12). The output is ordinary compact JWE: jose's compactDecrypt opens it, and what jose
 * made opens here (test/unit: direct-jwe).
 */

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Encrypt `plaintext` to `key` (32 bytes) under the protected header `header` (alg `dir`, enc `A256GCM` added). */
export function encryptDirectJwe(key: Buffer, header: Record<string, string>, plaintext: string): string {
  const protectedB64 = Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM', ...header })).toString('base64url');
  const iv = randomPooled(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(protectedB64, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${protectedB64}..${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
}

/**
 * The header and plaintext of a compact `dir` + `A256GCM` JWE under `key`, or null for anything else: another
 * shape, algorithm or key, a wrapped key, a changed byte.
 */
export function decryptDirectJwe(
  key: Buffer,
  token: string,
): { header: Record<string, unknown>; plaintext: string } | null {
  const parts = token.split('.');
  if (parts.length !== 5) return null;
  const [protectedB64, encryptedKey, ivB64, ciphertextB64, tagB64] = parts as [string, string, string, string, string];
  if (encryptedKey !== '') return null;
  try {
    const header = JSON.parse(Buffer.from(protectedB64, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof header !== 'object' || header === null || header.alg !== 'dir' || header.enc !== 'A256GCM') return null;
    // RFC 7516 §4.1.13: a critical extension we do not understand means the JWE must be rejected.
    if (header.crit !== undefined || header.zip !== undefined) return null;
    const iv = Buffer.from(ivB64, 'base64url');
    const tag = Buffer.from(tagB64, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return null;
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(protectedB64, 'ascii'));
    decipher.setAuthTag(tag);
    const plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertextB64, 'base64url')), decipher.final()]);
    return { header, plaintext: plaintext.toString('utf8') };
  } catch {
    return null;
  }
}
