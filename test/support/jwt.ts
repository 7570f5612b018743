import type { KeyRef, KeyStore } from '@tessera/shared/keys/key-store';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A compact JWS signed through the key store interface (what the token endpoint will do). */
export async function signJwt(store: KeyStore, tid: string, key: KeyRef, claims: Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: key.alg, kid: key.kid, typ: 'JWT' })}.${b64({ iat: now, exp: now + 600, ...claims })}`;
  return `${input}.${Buffer.from(await store.sign(tid, key, Buffer.from(input))).toString('base64url')}`;
}
