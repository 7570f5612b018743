import { createCipheriv, createDecipheriv, hash } from 'node:crypto';
import { randomPooled } from '@tessera/shared/crypto/random-pool';
import type { AuthzSession } from '../ports/authz-session-store.ts';

/*
 * The subject session id a flow runs in is an SSO credential: at rest it is
 * sealed (AES-256-GCM) under a key derived from the authorisation session
 * id, which the store never sees (it keys the record by the id's plain
 * SHA-256; the seal key hashes it with a distinct prefix). Every
 * implementation of the port stores sessions through these two functions.
 */
// One-shot hash and pooled IVs: the same key and IV quality, without a Hash object or a random call per seal.
const sealKey = (sid: string) => hash('sha256', `tessera authz-session seal\u0000${sid}`, 'buffer');

function seal(sid: string, value: string): string {
  const iv = randomPooled(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(sid), iv);
  const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

function unseal(sid: string, sealed: string): string | undefined {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', sealKey(sid), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

type Stored = Omit<AuthzSession, 'subSid'> & { sealedSubSid?: string };

/** The session as stored: JSON, its subject session id sealed. */
export function sealAuthzSession(sid: string, session: AuthzSession): string {
  const { subSid, ...rest } = session;
  return JSON.stringify({ ...rest, ...(subSid ? { sealedSubSid: seal(sid, subSid) } : {}) } satisfies Stored);
}

/** The stored session opened with its id (a subject session id that does not open is dropped). */
export function openAuthzSession(sid: string, raw: string): AuthzSession {
  const { sealedSubSid, ...rest } = JSON.parse(raw) as Stored;
  const subSid = sealedSubSid ? unseal(sid, sealedSubSid) : undefined;
  return { ...rest, ...(subSid ? { subSid } : {}) };
}
