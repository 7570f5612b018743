import { createCipheriv, createDecipheriv, hash } from 'node:crypto';
import { randomPooled } from '@tessera/shared/crypto/random-pool';

/*
 * A credential kept inside a short-lived record (the subject session id of a
 * login or logout flow) is sealed (AES-256-GCM) under a key derived from the
 * record's own id, which the store never sees: it keys the record by the id's
 * plain SHA-256, the seal key hashes it with a distinct, per-kind prefix. So
 * the store alone cannot reveal the credential.
 */
// One-shot hash and pooled IVs: the same key and IV quality, without a Hash object or a random call per seal.
const sealKey = (kind: string, id: string) => hash('sha256', `tessera ${kind} seal\u0000${id}`, 'buffer');

/** Seal `value` under the record id `id` of records of `kind` (e.g. `authz-session`). */
export function sealUnderId(kind: string, id: string, value: string): string {
  const iv = randomPooled(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(kind, id), iv);
  const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** The sealed value, or undefined when it does not open under this id. */
export function openUnderId(kind: string, id: string, sealed: string): string | undefined {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', sealKey(kind, id), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
