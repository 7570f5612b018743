import type { KeyRef, KeyStore } from './key-store.ts';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A compact JWS (RFC 7515) signed through the key store: the header and
 * payload are serialised here, the signature comes from the tenant's key
 * wherever it lives (raw r||s for ECDSA, as JWS wants). `alg` and `kid` are
 * always those of the key, whatever `header` says.
 */
export async function signCompactJws(
  store: KeyStore,
  tid: string,
  key: KeyRef,
  payload: Record<string, unknown>,
  header: Record<string, unknown> = { typ: 'JWT' },
): Promise<string> {
  const input = `${b64({ ...header, alg: key.alg, kid: key.kid })}.${b64(payload)}`;
  const signature = await store.sign(tid, key, Buffer.from(input, 'ascii'));
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}
