import { activeTracer } from '../observability/tracing.ts';
import { keyOperation } from './key-operation-span.ts';
import type { KeyRef, KeyStore } from './key-store.ts';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Encoded protected headers of constant header objects, by kid (a kid names one key and one alg). */
const encodedHeaders = new WeakMap<object, Map<string, string>>();

function encodedHeader(header: Record<string, unknown>, key: KeyRef): string {
  let byKid = encodedHeaders.get(header);
  if (!byKid) encodedHeaders.set(header, (byKid = new Map()));
  let encoded = byKid.get(key.kid);
  if (encoded === undefined) {
    encoded = b64({ ...header, alg: key.alg, kid: key.kid });
    if (byKid.size < 1024) byKid.set(key.kid, encoded); // keys rotate: the cache must not grow without end
  }
  return encoded;
}

/**
 * A compact JWS (RFC 7515) signed through the key store: the header and
 * payload are serialised here, the signature comes from the tenant's key
 * wherever it lives (raw r||s for ECDSA, as JWS wants). `alg` and `kid` are
 * always those of the key, whatever `header` says. Pass a frozen header
 * object to have its encoding remembered per key (`constantHeader`).
 */
export async function signCompactJws(
  store: KeyStore,
  tid: string,
  key: KeyRef,
  payload: Record<string, unknown>,
  header: Record<string, unknown> = JWT_HEADER,
): Promise<string> {
  const input = `${Object.isFrozen(header) ? encodedHeader(header, key) : b64({ ...header, alg: key.alg, kid: key.kid })}.${b64(payload)}`;
  const data = Buffer.from(input, 'latin1');
  // Traced only when tracing is on: the token path makes no closure otherwise.
  const signature =
    activeTracer() === undefined
      ? await store.sign(tid, key, data)
      : await keyOperation('sign', { backend: store.backend, tid, alg: key.alg }, () => store.sign(tid, key, data));
  const bytes = Buffer.isBuffer(signature)
    ? signature
    : Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength);
  return `${input}.${bytes.toString('base64url')}`;
}

/** A header whose encoding signCompactJws may remember (frozen, so it cannot change under the cache). */
export const constantHeader = <T extends Record<string, unknown>>(header: T): Readonly<T> => Object.freeze(header);

const JWT_HEADER = constantHeader({ typ: 'JWT' });
