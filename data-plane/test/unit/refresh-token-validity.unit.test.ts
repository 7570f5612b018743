import { describe, expect, it } from 'vitest';
import {
  persistedFacts,
  REFRESH_REFUSALS,
  type RefreshTokenFacts,
  refreshTokenRefusal,
  usedBeyondGrace,
} from '../../src/grants/refresh-token-validity.ts';

const NOW = 1_700_000_000;
const at = (s: number) => new Date(s * 1000);
const authz = (maxIdle = 0) => ({ cid: 'app', refreshToken: { issue: true, lifetime: 0, maxIdle, rotate: true } });
const row = (
  over: Partial<{ expiresAt: Date | null; issuedAt: Date; lastUsedAt: Date | null; rotatedAt: Date | null }> = {},
) => ({
  expiresAt: null,
  issuedAt: at(NOW - 100),
  lastUsedAt: null,
  rotatedAt: null,
  ...over,
});
const clock = { now: NOW, grace: 5 };

describe('refresh token validity (one rule for the grant and the store API)', () => {
  it('accepts a live token', () => {
    expect(refreshTokenRefusal(persistedFacts(row(), authz(), clock))).toBeUndefined();
    expect(
      refreshTokenRefusal({
        ...clock,
        known: true,
        authz: { cid: 'app' },
        expiresAt: NOW + 1,
        clientId: 'app',
        issuerShares: true,
        revokedSince: false,
        usedAt: null,
      }),
    ).toBeUndefined();
  });

  it('refuses a persisted token for each reason, with the grant’s words', () => {
    const cases: Array<[RefreshTokenFacts, string]> = [
      [persistedFacts(null, undefined, clock), 'Invalid refresh token'],
      [persistedFacts(row(), undefined, clock), 'The authorisation was revoked'],
      [
        { ...persistedFacts(row(), authz(), clock), clientId: 'other' },
        'The refresh token was issued to another client',
      ],
      [persistedFacts(row({ expiresAt: at(NOW) }), authz(), clock), 'The refresh token expired'],
      [persistedFacts(row({ lastUsedAt: at(NOW - 61) }), authz(60), clock), 'The refresh token was idle too long'],
      [
        persistedFacts(row({ rotatedAt: at(NOW - 6) }), authz(), clock),
        'The refresh token was already used; the authorisation is revoked',
      ],
    ];
    for (const [facts, words] of cases) expect(REFRESH_REFUSALS[refreshTokenRefusal(facts)!]).toBe(words);
  });

  it('judges time to the millisecond, as the grant always did', () => {
    expect(
      refreshTokenRefusal(persistedFacts(row({ expiresAt: new Date(NOW * 1000 + 500) }), authz(), clock)),
    ).toBeUndefined();
    expect(refreshTokenRefusal(persistedFacts(row({ expiresAt: new Date(NOW * 1000 - 1) }), authz(), clock))).toBe(
      'expired',
    );
    // Idle exactly the limit is still fine; a moment more is not.
    expect(refreshTokenRefusal(persistedFacts(row({ issuedAt: at(NOW - 60) }), authz(60), clock))).toBeUndefined();
    expect(
      refreshTokenRefusal(persistedFacts(row({ issuedAt: new Date((NOW - 60) * 1000 - 1) }), authz(60), clock)),
    ).toBe('idle');
    // The last use restarts the idle time; maxIdle 0 means no limit.
    expect(
      refreshTokenRefusal(
        persistedFacts(row({ issuedAt: at(NOW - 1000), lastUsedAt: at(NOW - 10) }), authz(60), clock),
      ),
    ).toBeUndefined();
    expect(refreshTokenRefusal(persistedFacts(row({ issuedAt: at(NOW - 10_000) }), authz(0), clock))).toBeUndefined();
  });

  it('keeps a used token usable for the grace period', () => {
    expect(refreshTokenRefusal(persistedFacts(row({ rotatedAt: at(NOW - 5) }), authz(), clock))).toBeUndefined();
    expect(usedBeyondGrace(NOW - 5, NOW, 5)).toBe(false);
    expect(usedBeyondGrace(NOW - 5.001, NOW, 5)).toBe(true);
    expect(usedBeyondGrace(null, NOW, 0)).toBe(false);
    expect(usedBeyondGrace(undefined, NOW, 0)).toBe(false);
  });

  it('refuses a transient token for each reason', () => {
    const base: RefreshTokenFacts = {
      ...clock,
      known: true,
      authz: { cid: 'app' },
      expiresAt: 0,
      clientId: 'app',
      issuerShares: true,
      revokedSince: false,
      usedAt: null,
    };
    expect(refreshTokenRefusal({ ...base, known: false })).toBe('unknown');
    expect(refreshTokenRefusal({ ...base, clientId: 'other' })).toBe('other-client');
    expect(refreshTokenRefusal({ ...base, issuerShares: false })).toBe('other-issuer');
    expect(refreshTokenRefusal({ ...base, expiresAt: NOW })).toBe('expired');
    expect(refreshTokenRefusal({ ...base, revokedSince: true })).toBe('revoked');
    expect(refreshTokenRefusal({ ...base, usedAt: NOW - 6 })).toBe('reused');
  });

  it('skips the client and issuer rules when nobody asks as a client (the store API)', () => {
    expect(refreshTokenRefusal({ ...clock, known: true, authz: { cid: 'app' } })).toBeUndefined();
  });

  it('reports the first rule broken, in the grant’s order', () => {
    const everything: RefreshTokenFacts = {
      ...clock,
      known: true,
      authz: { cid: 'app' },
      expiresAt: NOW - 1,
      clientId: 'other',
      issuerShares: false,
      revokedSince: true,
      usedAt: NOW - 100,
      idleSince: NOW - 100,
      maxIdle: 1,
    };
    expect(refreshTokenRefusal(everything)).toBe('other-client');
    expect(refreshTokenRefusal({ ...everything, clientId: 'app' })).toBe('other-issuer');
    expect(refreshTokenRefusal({ ...everything, clientId: 'app', issuerShares: true })).toBe('expired');
    expect(refreshTokenRefusal({ ...everything, clientId: 'app', issuerShares: true, expiresAt: 0 })).toBe('idle');
    expect(refreshTokenRefusal({ ...everything, clientId: 'app', issuerShares: true, expiresAt: 0, maxIdle: 0 })).toBe(
      'revoked',
    );
    expect(
      refreshTokenRefusal({
        ...everything,
        clientId: 'app',
        issuerShares: true,
        expiresAt: 0,
        maxIdle: 0,
        revokedSince: false,
      }),
    ).toBe('reused');
  });
});
