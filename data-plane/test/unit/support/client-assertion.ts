import { randomUUID } from 'node:crypto';
import { type CryptoKey, type KeyObject, SignJWT } from 'jose';
import { JWT_BEARER_ASSERTION } from '../../../src/client-auth/client-assertion.ts';
import type { MemoryPlane } from './memory-plane.ts';

export interface AssertionOptions {
  alg: string;
  key: CryptoKey | KeyObject | Uint8Array;
  clientId: string;
  audience: string;
  /** Claims over the RFC 7523 ones made here (`jti: undefined` leaves it out). */
  claims?: Record<string, unknown>;
  /** Seconds from the plane's now; default 60. */
  lifetime?: number;
  kid?: string;
}

/**
 * An RFC 7523 §3 client assertion made as a client library makes it: iss and
 * sub the client id, aud the server, iat now (by the plane's clock), a
 * short exp, a fresh jti.
 */
export async function clientAssertion(plane: MemoryPlane, options: AssertionOptions): Promise<string> {
  const now = Math.floor(plane.clock.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: options.clientId,
    sub: options.clientId,
    aud: options.audience,
    iat: now,
    exp: now + (options.lifetime ?? 60),
    jti: randomUUID(),
    ...options.claims,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg, ...(options.kid ? { kid: options.kid } : {}) })
    .sign(options.key);
}

/** The form parameters that carry an assertion. */
export const assertionParams = (assertion: string, more: Record<string, string> = {}) => ({
  client_assertion_type: JWT_BEARER_ASSERTION,
  client_assertion: assertion,
  ...more,
});
