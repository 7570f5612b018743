import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { allowedFor, type JoseDigest, joseAlgorithm } from '../jose/algorithms.ts';
import { keyOperation } from './key-operation-span.ts';
import type { EncryptionAlgorithm, KeyStore } from './key-store.ts';

/** A content encryption a JWE to the tenant may use (JOSE registry): AES-GCM, or AES-CBC with the HMAC of `hash`. */
function encodingOf(enc: unknown): { kind: 'gcm' | 'cbc'; keyBytes: number; hash: JoseDigest | null } | undefined {
  if (typeof enc !== 'string' || !allowedFor(enc, 'request-object-encryption', 'content-encryption')) return undefined;
  const { keyBytes, digest } = joseAlgorithm(enc)!;
  return { kind: digest ? 'cbc' : 'gcm', keyBytes: keyBytes!, hash: digest };
}

export class JweError extends Error {}

/**
 * Decrypt a compact JWE encrypted to one of the tenant's keys (RSA-OAEP or
 * RSA-OAEP-256): the content key is unwrapped by the key store, inside the
 * HSM for PKCS#11 tenants; the content is decrypted here (RFC 7516, 7518 §5).
 */
export async function decryptCompactJwe(
  store: KeyStore,
  tid: string,
  jwe: string,
): Promise<{ header: Record<string, unknown>; plaintext: Buffer }> {
  const parts = jwe.split('.');
  if (parts.length !== 5) throw new JweError('not a compact JWE');
  const [protectedB64, encryptedKeyB64, ivB64, ciphertextB64, tagB64] = parts as [
    string,
    string,
    string,
    string,
    string,
  ];
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(protectedB64, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new JweError('malformed JWE header');
  }
  const alg = header.alg;
  const enc = encodingOf(header.enc);
  if (typeof alg !== 'string' || !allowedFor(alg, 'request-object-encryption', 'key-management'))
    throw new JweError(`unsupported JWE alg ${String(alg)}`);
  if (!enc) throw new JweError(`unsupported JWE enc ${String(header.enc)}`);
  if (typeof header.kid !== 'string') throw new JweError('the JWE header names no kid');
  if (header.zip !== undefined) throw new JweError('compressed JWE is not accepted');
  const kid = header.kid;

  const cek = Buffer.from(
    await keyOperation('decrypt', { backend: store.backend, tid, alg }, () =>
      store.decrypt(tid, { kid, alg: alg as EncryptionAlgorithm }, Buffer.from(encryptedKeyB64, 'base64url')),
    ),
  );
  if (cek.length !== enc.keyBytes) throw new JweError('content key of the wrong size');
  const iv = Buffer.from(ivB64, 'base64url');
  const ciphertext = Buffer.from(ciphertextB64, 'base64url');
  const tag = Buffer.from(tagB64, 'base64url');
  const aad = Buffer.from(protectedB64, 'ascii');
  try {
    if (enc.kind === 'gcm') {
      const decipher = createDecipheriv(`aes-${enc.keyBytes * 8}-gcm` as 'aes-256-gcm', cek, iv);
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      return { header, plaintext: Buffer.concat([decipher.update(ciphertext), decipher.final()]) };
    }
    const half = enc.keyBytes / 2;
    const al = Buffer.alloc(8);
    al.writeBigUInt64BE(BigInt(aad.length * 8));
    const mac = createHmac(enc.hash!, cek.subarray(0, half))
      .update(Buffer.concat([aad, iv, ciphertext, al]))
      .digest()
      .subarray(0, half);
    if (mac.length !== tag.length || !timingSafeEqual(mac, tag)) throw new JweError('JWE authentication failed');
    const decipher = createDecipheriv(`aes-${half * 8}-cbc` as 'aes-128-cbc', cek.subarray(half), iv);
    return { header, plaintext: Buffer.concat([decipher.update(ciphertext), decipher.final()]) };
  } catch (err) {
    if (err instanceof JweError) throw err;
    throw new JweError('JWE decryption failed');
  }
}
