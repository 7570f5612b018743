import { createHmac, timingSafeEqual } from 'node:crypto';

/** How a proof's nonce stands. */
export type NonceStanding = 'current' | 'previous' | 'invalid';

/** What a nonce is made for: the tenant, its identifier secret and its config's window. */
export interface NonceScope {
  tid: string;
  /** The tenant's identifier-hmac secret. */
  secret: Uint8Array;
  /** Seconds a nonce is current (config dpop.nonceLifetime). */
  lifetime: number;
}

const TAG_BYTES = 16;

const tag = (scope: NonceScope, window: number): Buffer =>
  createHmac('sha256', scope.secret)
    .update(`dpop-nonce\u0000${scope.tid}\u0000${window}`)
    .digest()
    .subarray(0, TAG_BYTES);

/**
 * Server-provided DPoP nonces (RFC 9449 §8), stateless: the number of the
 * current time window and an HMAC of it under the tenant's identifier secret,
 * so any node makes and checks the same nonce without sharing state, and a
 * nonce of one tenant is invalid at another. A nonce is current for its
 * window and accepted through the next (then a fresh one is sent with the
 * answer: rotation).
 */
export const dpopNonces = {
  issue(scope: NonceScope, now: number): string {
    const window = Math.floor(now / scope.lifetime);
    return `${window.toString(36)}.${tag(scope, window).toString('base64url')}`;
  },

  check(scope: NonceScope, nonce: string, now: number): NonceStanding {
    const dot = nonce.indexOf('.');
    if (dot <= 0 || dot > 12) return 'invalid';
    const window = Number.parseInt(nonce.slice(0, dot), 36);
    const current = Math.floor(now / scope.lifetime);
    if (window !== current && window !== current - 1) return 'invalid';
    if (nonce.slice(0, dot) !== window.toString(36)) return 'invalid';
    const given = Buffer.from(nonce.slice(dot + 1), 'base64url');
    const expected = tag(scope, window);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return window === current ? 'current' : 'previous';
  },
};
