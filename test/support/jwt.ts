import { signCompactJws } from '@tessera/shared/keys/jws';
import type { KeyRef, KeyStore } from '@tessera/shared/keys/key-store';

/** A short-lived JWT signed through the key store interface (what the token endpoint will do). */
export async function signJwt(
  store: KeyStore,
  tid: string,
  key: KeyRef,
  claims: Record<string, unknown>,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signCompactJws(store, tid, key, { iat: now, exp: now + 600, ...claims });
}
