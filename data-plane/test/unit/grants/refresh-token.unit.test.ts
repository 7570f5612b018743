import { createHash } from 'node:crypto';
import type { Authorization } from '@tessera/shared/authz/authorization';
import type { Client } from '@tessera/shared/clients/client';
import { tokenHash } from '@tessera/shared/tokens/identifiers';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { newAuthorization } from '../../../src/grants/new-authorization.ts';
import { refreshTokenGrant } from '../../../src/grants/refresh-token.ts';
import { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { grantRequest } from '../support/grant-request.ts';
import { type MemoryPlane, memoryPlane } from '../support/memory-plane.ts';
import { verifyWithPublishedKeys } from '../support/published-keys.ts';

// RFC 6749 §6 with rotation (RFC 9700 §4.14.2) on the in-memory ports: persisted (identifier) and transient (JWE) refresh tokens, time by the clock.

type Tokens = {
  tenant?: Record<string, unknown>;
  authz?: Partial<Authorization>;
  refresh?: Partial<Authorization['refreshToken']>;
};

async function setup(options: Tokens = {}) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({ ...EC_KEYS, ...options.tenant });
  const client = await registerClient(plane, tenant, { metadata: { scope: 'openid read write' } });
  const other = await registerClient(plane, tenant, { clientId: 'other', metadata: { scope: 'openid read write' } });
  /** Tokens of an authorisation alice gave `app` (persisted unless `longLived: false`). */
  const issue = async (more: Tokens = {}) => {
    const authz = newAuthorization(tenant.tenant.config, {
      sub: 'alice',
      cid: 'app',
      scp: ['read', 'write'],
      iss: tenant.tenant.issuer,
      longLived: true,
      ...options.authz,
      ...more.authz,
    });
    authz.refreshToken = { ...authz.refreshToken, issue: true, ...options.refresh, ...more.refresh };
    return plane.deps.oauth.issuer.issue(tenant, authz);
  };
  const refresh = (
    token: string,
    params: Record<string, string> = {},
    as: { client?: Client; tenant?: TenantContext; issuer?: string } = {},
  ) =>
    refreshTokenGrant.handle(
      grantRequest(
        plane,
        as.tenant ?? tenant,
        as.client ?? client,
        { grant_type: 'refresh_token', refresh_token: token, ...params },
        as,
      ),
    );
  return { plane, tenant, client, other, issue, refresh };
}

const now = (plane: MemoryPlane) => Math.floor(plane.clock.now() / 1000);

describe('refresh_token grant, persisted authorisation (identifier tokens)', () => {
  it('issues a new access token for the stored authorisation and records the use; without rotation the token stays', async () => {
    const { plane, tenant, issue, refresh } = await setup({ tenant: { tokens: { accessTokenLifetime: 600 } } });
    const { refresh_token: token } = await issue();
    expect(token!.split('.')).toHaveLength(1);
    plane.clock.advanceSeconds(30);
    const response = await refresh(token!);
    expect(Object.keys(response).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(response).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'read write' });
    const { claims } = await verifyWithPublishedKeys(plane, tenant, response.access_token);
    expect(claims).toMatchObject({
      sub: 'alice',
      cid: 'app',
      scp: ['read', 'write'],
      iat: now(plane),
      exp: now(plane) + 600,
    });
    const row = await plane.ports.refreshTokens.find(tenant.tenant.tid, tenant.secrets['identifier-hmac'], token!);
    expect(row).toMatchObject({ rotatedAt: null, lastUsedAt: new Date(now(plane) * 1000) });
    await expect(refresh(token!)).resolves.toMatchObject({ token_type: 'Bearer' });
  });

  it('narrows the scope on request, never widens it', async () => {
    const { issue, refresh } = await setup();
    const { refresh_token: token } = await issue();
    expect((await refresh(token!, { scope: 'read' })).scope).toBe('read');
    await expect(refresh(token!, { scope: 'read openid' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'invalid_scope',
      message: 'Not granted originally: openid',
    });
  });

  it('rotates: the new token works, the used one works for the grace period, and a use after it revokes the authorisation', async () => {
    const { plane, tenant, issue, refresh } = await setup({
      tenant: { tokens: { refreshTokenReuseGracePeriod: 5 } },
      refresh: { rotate: true },
    });
    const { tid } = tenant.tenant;
    const first = (await issue()).refresh_token!;
    const second = await refresh(first);
    expect(second.refresh_token).toEqual(expect.any(String));
    expect(second.refresh_token).not.toBe(first);
    plane.clock.advanceSeconds(5);
    // Within the grace period (a client that lost the response retries): allowed.
    await expect(refresh(first)).resolves.toMatchObject({ token_type: 'Bearer' });
    const third = await refresh(second.refresh_token!);
    plane.clock.advanceSeconds(1);
    await expect(refresh(first)).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'The refresh token was already used; the authorisation is revoked',
    });
    expect(await plane.ports.authorizations.find(tid, { sub: 'alice' })).toEqual([]);
    expect(await plane.ports.journal.isRevoked(tid, 'alice', 'app', now(plane))).toBe(true);
    expect(plane.events.ofType('authorization.revoked').map((e) => [e.actor, e.data])).toEqual([
      ['client:app', { client_id: 'app', sub: 'alice', via: 'refresh_token_reuse' }],
    ]);
    // Every token of the authorisation is gone with it.
    await expect(refresh(third.refresh_token!)).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'Invalid refresh token',
    });
  });

  it('expires by the clock, and no access token outlives its refresh token', async () => {
    const { plane, issue, refresh } = await setup({
      tenant: { tokens: { accessTokenLifetime: 600 } },
      refresh: { lifetime: 1000 },
    });
    const issued = await issue();
    expect(issued).toMatchObject({ refresh_token_expires_in: 1000, expires_in: 600 });
    plane.clock.advanceSeconds(700);
    expect(await refresh(issued.refresh_token!)).toMatchObject({ expires_in: 300 });
    plane.clock.advanceSeconds(299);
    expect(await refresh(issued.refresh_token!)).toMatchObject({ expires_in: 1 });
    plane.clock.advanceSeconds(1);
    await expect(refresh(issued.refresh_token!)).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'The refresh token expired',
    });
  });

  it('refuses a token idle longer than the authorisation allows; each use restarts the idle time', async () => {
    const { plane, issue, refresh } = await setup({ refresh: { maxIdle: 100 } });
    const token = (await issue()).refresh_token!;
    plane.clock.advanceSeconds(100);
    await expect(refresh(token)).resolves.toMatchObject({ expires_in: 100 });
    plane.clock.advanceSeconds(101);
    await expect(refresh(token)).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'The refresh token was idle too long',
    });
  });

  it('refuses the token of another client, another tenant, or a revoked authorisation', async () => {
    const { plane, tenant, other, issue, refresh } = await setup();
    const token = (await issue()).refresh_token!;
    await expect(refresh(token, {}, { client: other })).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'The refresh token was issued to another client',
    });
    const stranger = await plane.tenant(EC_KEYS);
    const strangerApp = await registerClient(plane, stranger);
    await expect(refresh(token, {}, { tenant: stranger, client: strangerApp })).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'Invalid refresh token',
    });
    await expect(refresh(token)).resolves.toMatchObject({ token_type: 'Bearer' });
    await plane.ports.authorizations.delete(tenant.tenant.tid, { sub: 'alice', cid: 'app' });
    await expect(refresh(token)).rejects.toMatchObject({ code: 'invalid_grant' });
  });

  it('needs a refresh token, and refuses one that is not ours', async () => {
    const { refresh } = await setup();
    await expect(refresh('')).rejects.toMatchObject({ code: 'invalid_request', message: 'Missing refresh_token' });
    await expect(refresh('made-up')).rejects.toMatchObject({ code: 'invalid_grant', message: 'Invalid refresh token' });
  });
});

describe('refresh_token grant, transient authorisation (JWE tokens)', () => {
  it('refreshes from the token alone: nothing is persisted', async () => {
    const { plane, tenant, issue, refresh } = await setup({ authz: { longLived: false } });
    const token = (await issue()).refresh_token!;
    expect(token.split('.')).toHaveLength(5);
    expect(await plane.ports.authorizations.find(tenant.tenant.tid, { sub: 'alice' })).toEqual([]);
    const response = await refresh(token, { scope: 'write' });
    expect(response).toMatchObject({ token_type: 'Bearer', scope: 'write' });
    expect(response.refresh_token).toBeUndefined();
  });

  it('rotates with a replay cache: the grace period, then a replay revokes through the journal', async () => {
    const { plane, tenant, issue, refresh } = await setup({
      tenant: { tokens: { refreshTokenReuseGracePeriod: 5 } },
      authz: { longLived: false },
      refresh: { rotate: true },
    });
    const first = (await issue()).refresh_token!;
    const second = (await refresh(first)).refresh_token!;
    expect(second.split('.')).toHaveLength(5);
    plane.clock.advanceSeconds(5);
    await expect(refresh(first)).resolves.toMatchObject({ token_type: 'Bearer' });
    plane.clock.advanceSeconds(1);
    await expect(refresh(first)).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'The refresh token was already used; the authorisation is revoked',
    });
    expect(await plane.ports.journal.isRevokedDurably(tenant.tenant.tid, 'alice', 'app', now(plane))).toBe(true);
    expect(plane.events.ofType('authorization.revoked').map((e) => [e.actor, e.data])).toEqual([
      ['client:app', { client_id: 'app', sub: 'alice', via: 'refresh_token_reuse' }],
    ]);
    // The newer token was issued before the revocation: it goes too.
    await expect(refresh(second)).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'The authorisation was revoked',
    });
  });

  it('expires by the clock, and refuses another client and a token of another tenant', async () => {
    const { plane, other, issue, refresh } = await setup({ authz: { longLived: false }, refresh: { lifetime: 120 } });
    const token = (await issue()).refresh_token!;
    await expect(refresh(token, {}, { client: other })).rejects.toMatchObject({
      message: 'The refresh token was issued to another client',
    });
    const stranger = await plane.tenant(EC_KEYS);
    await expect(
      refresh(token, {}, { tenant: stranger, client: await registerClient(plane, stranger) }),
    ).rejects.toMatchObject({ message: 'Invalid refresh token' });
    plane.clock.advanceSeconds(119);
    await expect(refresh(token)).resolves.toMatchObject({ expires_in: 1 });
    plane.clock.advanceSeconds(1);
    await expect(refresh(token)).rejects.toMatchObject({ code: 'invalid_grant', message: 'The refresh token expired' });
  });
});

describe('refresh_token grant under issuer aliases', () => {
  const ISOLATED = 'https://isolated.example';
  const MIGRATED = 'https://migrated.example';
  const aliased = (tenant: TenantContext) =>
    new TenantContext(
      {
        ...tenant.tenant,
        aliases: [
          { issuer: ISOLATED, mode: 'PERSISTED_GRANT_ISOLATION' },
          { issuer: MIGRATED, mode: 'MIGRATION' },
        ],
      },
      tenant.keys,
      [],
      tenant.secrets,
    );

  it('shares grants with a migration alias, minting tokens for the issuer asked', async () => {
    const { plane, tenant, issue, refresh } = await setup();
    const token = (await issue()).refresh_token!;
    const response = await refresh(token, {}, { tenant: aliased(tenant), issuer: MIGRATED });
    expect((await verifyWithPublishedKeys(plane, tenant, response.access_token)).claims.iss).toBe(MIGRATED);
  });

  it('keeps an isolated alias apart: no persisted refresh tokens under it, and its transient ones only under it', async () => {
    const { tenant, issue, refresh } = await setup({ authz: { longLived: false } });
    const context = aliased(tenant);
    const persisted = (await issue({ authz: { longLived: true } })).refresh_token!;
    await expect(refresh(persisted, {}, { tenant: context, issuer: ISOLATED })).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'Identifier refresh tokens are not accepted under this issuer',
    });
    const transient = (await issue()).refresh_token!;
    await expect(refresh(transient, {}, { tenant: context, issuer: ISOLATED })).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'The refresh token was issued under another issuer',
    });
  });
});

describe('refresh_token grant, ID tokens (OpenID Connect Core §12.2)', () => {
  async function withSession(options: Tokens = {}) {
    const setupResult = await setup(options);
    const { plane, tenant } = setupResult;
    const authTime = now(plane) - 60;
    const sid = await plane.ports.sessions.create(tenant.tenant.tid, tenant.secrets['identifier-hmac'], {
      sub: 'alice',
      authTime,
      creationTime: authTime,
      maxLife: 600,
      acr: '2',
      amr: ['otp'],
    });
    const issued = await setupResult.issue({ authz: { scp: ['openid', 'read'], sid: tokenHash(sid) } });
    return { ...setupResult, authTime, sid, issued };
  }

  it('returns a new ID token with the authentication of the live session, without a nonce', async () => {
    const { plane, tenant, authTime, sid, issued, refresh } = await withSession();
    plane.clock.advanceSeconds(20);
    const response = await refresh(issued.refresh_token!);
    const { claims } = await verifyWithPublishedKeys(plane, tenant, response.id_token!);
    expect(claims).toMatchObject({
      iss: tenant.tenant.issuer,
      sub: 'alice',
      aud: 'app',
      iat: now(plane),
      auth_time: authTime,
      acr: '2',
      amr: ['otp'],
      sid: tokenHash(sid),
    });
    expect(claims.at_hash).toBe(
      createHash('sha256').update(response.access_token).digest().subarray(0, 16).toString('base64url'),
    );
    expect(claims.nonce).toBeUndefined();
  });

  it('leaves out the session claims once the session has ended', async () => {
    const { plane, issued, refresh } = await withSession();
    plane.clock.advanceSeconds(600);
    const claims = decodeJwt((await refresh(issued.refresh_token!)).id_token!);
    expect(claims).toMatchObject({ sub: 'alice', aud: 'app' });
    expect(claims.auth_time).toBeUndefined();
    expect(claims.sid).toBeUndefined();
  });

  it('gives a client that requires auth_time no ID token once the session has ended', async () => {
    const { plane, tenant, issued, refresh } = await withSession();
    await plane.ports.clientStore.update(tenant.tenant.tid, 'app', {
      metadata: { ...(await plane.ports.clientStore.get(tenant.tenant.tid, 'app'))!.metadata, require_auth_time: true },
    });
    plane.deps.clients.evict(tenant.tenant.tid, 'app');
    const client = (await plane.deps.clients.get(tenant.tenant.tid, 'app'))!;
    expect((await refresh(issued.refresh_token!, {}, { client })).id_token).toEqual(expect.any(String));
    plane.clock.advanceSeconds(600);
    const response = await refresh(issued.refresh_token!, {}, { client });
    expect(response.access_token).toEqual(expect.any(String));
    expect(response.id_token).toBeUndefined();
  });
});

describe('refresh_token grant, public clients', () => {
  /** A browser app (token_endpoint_auth_method none) of a tenant that leaves rotation off. */
  async function publicSetup(longLived: boolean) {
    const base = await setup({ tenant: { tokens: { refreshTokenReuseGracePeriod: 5 } }, authz: { longLived } });
    const spa = await registerClient(base.plane, base.tenant, {
      clientId: 'spa',
      secret: null,
      metadata: { token_endpoint_auth_method: 'none', scope: 'openid read write' },
    });
    const issue = async () => {
      const authz = newAuthorization(base.tenant.tenant.config, {
        sub: 'alice',
        cid: 'spa',
        scp: ['read'],
        iss: base.tenant.tenant.issuer,
        longLived,
      });
      expect(authz.refreshToken.rotate).toBe(false);
      authz.refreshToken = { ...authz.refreshToken, issue: true };
      return (await base.plane.deps.oauth.issuer.issue(base.tenant, authz)).refresh_token!;
    };
    const refresh = (token: string) => base.refresh(token, {}, { client: spa });
    return { ...base, issue, refresh };
  }

  for (const [kind, longLived] of [
    ['persisted', true],
    ['transient', false],
  ] as const) {
    it(`rotates a public client's ${kind} refresh tokens although the tenant does not, and a reuse revokes`, async () => {
      const { plane, issue, refresh } = await publicSetup(longLived);
      const first = await issue();
      const second = (await refresh(first)).refresh_token;
      expect(second).toEqual(expect.any(String));
      expect(second).not.toBe(first);
      plane.clock.advanceSeconds(6);
      await expect(refresh(first)).rejects.toMatchObject({
        code: 'invalid_grant',
        message: 'The refresh token was already used; the authorisation is revoked',
      });
    });
  }
});
