import type { Authorization } from '@tessera/shared/authz/authorization';

/**
 * When a refresh token is usable — one rule for the refresh grant
 * (grants/refresh-token.ts) and the authorisation store API's inspection
 * (integration/authz-store-api.ts), for identifier tokens of persisted
 * authorisations and self-contained (JWE) tokens of transient ones alike.
 * Pure: the caller gathers the facts (store reads, journal, replay cache).
 */

/** Why a refresh token is refused. */
export type RefreshRefusal = 'unknown' | 'revoked' | 'other-client' | 'other-issuer' | 'expired' | 'idle' | 'reused';

/** The refresh grant's `invalid_grant` descriptions. */
export const REFRESH_REFUSALS: Readonly<Record<RefreshRefusal, string>> = {
  unknown: 'Invalid refresh token',
  revoked: 'The authorisation was revoked',
  'other-client': 'The refresh token was issued to another client',
  'other-issuer': 'The refresh token was issued under another issuer',
  expired: 'The refresh token expired',
  idle: 'The refresh token was idle too long',
  reused: 'The refresh token was already used; the authorisation is revoked',
};

/** What is known of a refresh token when it is judged. Times are epoch seconds (fractions allowed). */
export interface RefreshTokenFacts {
  now: number;
  /** Seconds a used (rotated) token stays usable (config tokens.refreshTokenReuseGracePeriod). */
  grace: number;
  /** The token was found (identifier) or decoded (JWE). */
  known: boolean;
  /** The authorisation behind it; undefined when a persisted one is gone. */
  authz: Pick<Authorization, 'cid'> | undefined;
  /** When it expires; 0 or undefined for never. */
  expiresAt?: number | undefined;
  /** Persisted tokens: the last use (or the issue), and the authorisation's idle limit (0 = none). */
  idleSince?: number | undefined;
  maxIdle?: number | undefined;
  /** The revocation journal revoked the authorisation after the token was issued (transient tokens). */
  revokedSince?: boolean | undefined;
  /** When it was first used with rotation; null or undefined when it was not (or nobody looked). */
  usedAt?: number | null | undefined;
  /** The client presenting it; left out where no client asks (the store API asks for the tenant). */
  clientId?: string | undefined;
  /** Whether the issuer it was issued under shares grants with the one asked; left out where no issuer asks. */
  issuerShares?: boolean | undefined;
}

/** A used token past the grace period: using it again is a replay (RFC 9700 §4.14.2). */
export const usedBeyondGrace = (usedAt: number | null | undefined, now: number, grace: number): boolean =>
  usedAt !== null && usedAt !== undefined && now - usedAt > grace;

type RefreshRule = (f: RefreshTokenFacts) => RefreshRefusal | undefined;

const known: RefreshRule = (f) => (f.known ? undefined : 'unknown');
const authorisationPresent: RefreshRule = (f) => (f.authz ? undefined : 'revoked');
const sameClient: RefreshRule = (f) =>
  f.clientId !== undefined && f.authz?.cid !== f.clientId ? 'other-client' : undefined;
const sameIssuer: RefreshRule = (f) => (f.issuerShares === false ? 'other-issuer' : undefined);
const notExpired: RefreshRule = (f) => (f.expiresAt && f.expiresAt <= f.now ? 'expired' : undefined);
const notIdle: RefreshRule = (f) =>
  f.maxIdle && f.idleSince !== undefined && f.idleSince + f.maxIdle < f.now ? 'idle' : undefined;
const notRevoked: RefreshRule = (f) => (f.revokedSince ? 'revoked' : undefined);
const notReused: RefreshRule = (f) => (usedBeyondGrace(f.usedAt, f.now, f.grace) ? 'reused' : undefined);

/** In order: the first refusal is the one reported. */
const RULES: readonly RefreshRule[] = [
  known,
  authorisationPresent,
  sameClient,
  sameIssuer,
  notExpired,
  notIdle,
  notRevoked,
  notReused,
];

/** Why the token may not be used, or undefined when it may. */
export function refreshTokenRefusal(facts: RefreshTokenFacts): RefreshRefusal | undefined {
  for (const rule of RULES) {
    const refusal = rule(facts);
    if (refusal) return refusal;
  }
  return undefined;
}

const seconds = (d: Date) => d.getTime() / 1000;

/** The facts of an identifier refresh token and its stored authorisation. */
export function persistedFacts(
  row: { expiresAt: Date | null; issuedAt: Date; lastUsedAt: Date | null; rotatedAt: Date | null } | null,
  authz: Pick<Authorization, 'cid' | 'refreshToken'> | undefined,
  at: { now: number; grace: number },
): RefreshTokenFacts {
  if (!row) return { ...at, known: false, authz: undefined };
  return {
    ...at,
    known: true,
    authz,
    expiresAt: row.expiresAt ? seconds(row.expiresAt) : 0,
    idleSince: seconds(row.lastUsedAt ?? row.issuedAt),
    maxIdle: authz?.refreshToken.maxIdle ?? 0,
    usedAt: row.rotatedAt ? seconds(row.rotatedAt) : null,
  };
}
