import { signCompactJws } from '../keys/jws.ts';
import type { KeyRef, KeyStore } from '../keys/key-store.ts';

/** The registered claims an ID token always has (OpenID Connect Core §2), plus what the caller adds. */
export interface IdTokenInput {
  iss: string;
  sub: string;
  aud: string;
  lifetime: number;
  authTime?: number;
  sid?: string;
  nonce?: string;
  act?: { sub: string };
  /** Preset and released claims; registered claims above win over them. */
  claims?: Record<string, unknown>;
}

export async function signIdToken(store: KeyStore, tid: string, key: KeyRef, input: IdTokenInput): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    ...input.claims,
    iss: input.iss,
    sub: input.sub,
    aud: input.aud,
    iat,
    exp: iat + input.lifetime,
    ...(input.authTime !== undefined ? { auth_time: input.authTime } : {}),
    ...(input.sid ? { sid: input.sid } : {}),
    ...(input.nonce ? { nonce: input.nonce } : {}),
    ...(input.act ? { act: input.act } : {}),
  };
  return signCompactJws(store, tid, key, payload, { typ: 'JWT' });
}
