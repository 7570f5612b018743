import { hkdfSync } from 'node:crypto';
import type { Authorization } from '@tessera/shared/authz/authorization';
import { checkIdentifier } from '@tessera/shared/tokens/identifiers';
import { compactDecrypt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { newAuthorization } from '../../../src/grants/new-authorization.ts';
import { inspectAccessToken } from '../../../src/oauth/token-inspection.ts';
import { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import { EC_KEYS } from '../support/clients.ts';
import { type MemoryPlane, memoryPlane } from '../support/memory-plane.ts';
import { verifyWithPublishedKeys } from '../support/published-keys.ts';

// tokens/token-issuer.ts: access tokens (JWT in three profiles, encrypted JWT, identifier) and refresh tokens (persisted, transient).

async function setup(config: Record<string, unknown> = {}) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({ ...EC_KEYS, ...config });
  const authz = (fields: Partial<Authorization> = {}): Authorization =>
    newAuthorization(tenant.tenant.config, {
      sub: 'alice',
      cid: 'app',
      scp: ['read', 'write'],
      iss: tenant.tenant.issuer,
      ...fields,
    });
  return { plane, tenant, authz, issuer: plane.deps.oauth.issuer };
}

const now = (plane: MemoryPlane) => Math.floor(plane.clock.now() / 1000);

describe('JWT access tokens', () => {
  it('c2id-1.1: typ at+jwt, cid and a scp array, signed with the configured algorithm', async () => {
    const { plane, tenant, authz, issuer } = await setup({
      keys: { ...EC_KEYS.keys, accessTokenSigningAlgorithm: 'EdDSA' },
      tokens: { accessTokenLifetime: 300 },
    });
    const response = await issuer.accessToken(
      tenant,
      authz({ aud: ['https://api.example'], act: { sub: 'admin' }, dat: { k: 1 } }),
    );
    const { header, claims } = await verifyWithPublishedKeys(plane, tenant, response.access_token);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: tenant.keys.find((k) => k.alg === 'EdDSA')!.kid });
    expect(claims).toEqual({
      iss: tenant.tenant.issuer,
      sub: 'alice',
      cid: 'app',
      scp: ['read', 'write'],
      aud: ['https://api.example'],
      act: { sub: 'admin' },
      dat: { k: 1 },
      iat: now(plane),
      exp: now(plane) + 300,
      jti: expect.any(String),
    });
  });

  it('c2id-1.0: no typ; oauth-1.0 (RFC 9068): client_id, a scope string and the issuer as audience', async () => {
    const old = await setup({ tokens: { accessTokenProfile: 'c2id-1.0' } });
    const token = (await old.issuer.accessToken(old.tenant, old.authz())).access_token;
    const verified = await verifyWithPublishedKeys(old.plane, old.tenant, token);
    expect(verified.header.typ).toBeUndefined();
    expect(verified.claims).toMatchObject({ cid: 'app', scp: ['read', 'write'] });

    const rfc = await setup({ tokens: { accessTokenProfile: 'oauth-1.0' } });
    const { header, claims } = await verifyWithPublishedKeys(
      rfc.plane,
      rfc.tenant,
      (await rfc.issuer.accessToken(rfc.tenant, rfc.authz())).access_token,
    );
    expect(header.typ).toBe('at+jwt');
    expect(claims).toMatchObject({ client_id: 'app', scope: 'read write', aud: [rfc.tenant.tenant.issuer] });
    expect(claims.cid).toBeUndefined();
    expect(claims.scp).toBeUndefined();
  });

  it('never lets released claims override the registered ones', async () => {
    const { plane, tenant, authz, issuer } = await setup();
    const token = (
      await issuer.accessToken(
        tenant,
        authz({ atc: { email: 'a@example.com', iss: 'https://evil.example', sub: 'mallory' } }),
      )
    ).access_token;
    const { claims } = await verifyWithPublishedKeys(plane, tenant, token);
    expect(claims).toMatchObject({ email: 'a@example.com', iss: tenant.tenant.issuer, sub: 'alice' });
  });

  it('encrypts where the authorisation says: dir with a key derived from the tenant secret, the signed JWT inside', async () => {
    const { plane, tenant, authz, issuer } = await setup({ tokens: { accessTokenEncryptionMethod: 'A256GCM' } });
    const token = (
      await issuer.accessToken(
        tenant,
        authz({ accessToken: { lifetime: 0, encoding: 'SELF_CONTAINED', encrypt: true } }),
      )
    ).access_token;
    expect(token.split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'dir', enc: 'A256GCM', cty: 'JWT' });
    const key = new Uint8Array(
      hkdfSync('sha256', tenant.secrets['access-token-enc'], Buffer.alloc(0), 'tessera access token A256GCM', 32),
    );
    const inner = Buffer.from((await compactDecrypt(token, key)).plaintext).toString('ascii');
    expect((await verifyWithPublishedKeys(plane, tenant, inner)).claims).toMatchObject({ sub: 'alice', cid: 'app' });
    expect(await inspectAccessToken(tenant, tenant.tenant.issuer, token, plane.deps)).toMatchObject({
      sub: 'alice',
      kind: 'jwt',
    });
  });

  it('signs with the key that is active by the clock: a pre-published key takes over when its time comes', async () => {
    const { plane, tenant, authz, issuer } = await setup();
    const { tid } = tenant.tenant;
    const [next] = await plane.ports.keyStore.generate(tid, [{ alg: 'ES256', rsaKeySize: 2048 }], {
      activateAt: new Date(plane.clock.now() + 300_000),
    });
    const context = new TenantContext(tenant.tenant, plane.ports.keyStore.keys(tid), [], tenant.secrets);
    const before = (await issuer.accessToken(context, authz())).access_token;
    expect(decodeProtectedHeader(before).kid).not.toBe(next!.kid);
    plane.clock.advanceSeconds(300);
    const after = (await issuer.accessToken(context, authz())).access_token;
    expect(decodeProtectedHeader(after).kid).toBe(next!.kid);
    // Both verify with what the tenant publishes.
    await verifyWithPublishedKeys(plane, context, before);
    await verifyWithPublishedKeys(plane, context, after);
  });
});

describe('access token lifetime', () => {
  it('is the authorisation’s when set, else the tenant’s, never past the refresh token or its idle limit', async () => {
    const { tenant, authz, issuer } = await setup({ tokens: { accessTokenLifetime: 600 } });
    expect((await issuer.accessToken(tenant, authz())).expires_in).toBe(600);
    expect(
      (
        await issuer.accessToken(
          tenant,
          authz({ accessToken: { lifetime: 42, encoding: 'SELF_CONTAINED', encrypt: false } }),
        )
      ).expires_in,
    ).toBe(42);
    expect((await issuer.accessToken(tenant, authz(), 0)).expires_in).toBe(1);
    const capped = authz({ refreshToken: { issue: true, lifetime: 200, maxIdle: 0, rotate: false } });
    expect(await issuer.issue(tenant, capped)).toMatchObject({ expires_in: 200, refresh_token_expires_in: 200 });
    const idle = authz({ refreshToken: { issue: true, lifetime: 0, maxIdle: 90, rotate: false } });
    const response = await issuer.issue(tenant, idle);
    expect(response.expires_in).toBe(90);
    expect(response.refresh_token_expires_in).toBeUndefined();
  });
});

describe('identifier access tokens', () => {
  it('are HMAC-tagged identifiers kept in the store with their authorisation, expiring by the clock', async () => {
    const { plane, tenant, authz, issuer } = await setup({
      tokens: { accessTokenFormat: 'identifier', accessTokenLifetime: 120 },
    });
    const { access_token: token } = await issuer.issue(tenant, authz());
    expect(checkIdentifier(tenant.secrets['identifier-hmac'], 'at', token)).toBe(true);
    expect(await plane.ports.accessTokens.get(tenant.tenant.tid, token)).toMatchObject({
      iss: tenant.tenant.issuer,
      iat: now(plane),
      exp: now(plane) + 120,
      authz: { sub: 'alice', scp: ['read', 'write'] },
    });
    expect(await inspectAccessToken(tenant, tenant.tenant.issuer, token, plane.deps)).toMatchObject({
      kind: 'identifier',
      sub: 'alice',
      cid: 'app',
    });
    plane.clock.advanceSeconds(120);
    expect(await inspectAccessToken(tenant, tenant.tenant.issuer, token, plane.deps)).toBeNull();
  });
});

describe('refresh tokens', () => {
  it('persist a long-lived authorisation and point at it', async () => {
    const { plane, tenant, authz, issuer } = await setup();
    const response = await issuer.issue(
      tenant,
      authz({ longLived: true, refreshToken: { issue: true, lifetime: 3600, maxIdle: 0, rotate: false } }),
    );
    const [stored] = await plane.ports.authorizations.find(tenant.tenant.tid, { sub: 'alice', cid: 'app' });
    expect(stored!.authz).toMatchObject({ sub: 'alice', scp: ['read', 'write'] });
    const row = await plane.ports.refreshTokens.find(
      tenant.tenant.tid,
      tenant.secrets['identifier-hmac'],
      response.refresh_token!,
    );
    expect(row).toMatchObject({ authorizationId: stored!.id, expiresAt: new Date((now(plane) + 3600) * 1000) });
  });

  it('carry a transient authorisation in a JWE only this tenant opens', async () => {
    const { plane, tenant, authz, issuer } = await setup();
    const response = await issuer.issue(
      tenant,
      authz({ refreshToken: { issue: true, lifetime: 0, maxIdle: 0, rotate: true } }),
    );
    expect(await plane.ports.authorizations.find(tenant.tenant.tid, { sub: 'alice' })).toEqual([]);
    expect(decodeProtectedHeader(response.refresh_token!)).toMatchObject({
      alg: 'dir',
      enc: 'A256GCM',
      cty: 'tessera-rt',
    });
    expect(await issuer.decodeTransientRefreshToken(tenant, response.refresh_token!)).toMatchObject({
      authz: { sub: 'alice', cid: 'app' },
      iat: now(plane),
      exp: 0,
    });
    const stranger = await plane.tenant(EC_KEYS);
    expect(await issuer.decodeTransientRefreshToken(stranger, response.refresh_token!)).toBeNull();
    const parts = response.refresh_token!.split('.');
    parts[3] = (parts[3]!.startsWith('A') ? 'B' : 'A') + parts[3]!.slice(1);
    expect(await issuer.decodeTransientRefreshToken(tenant, parts.join('.'))).toBeNull();
  });

  it('are transient under an alias that isolates grants, even for a long-lived authorisation', async () => {
    const { plane, tenant, authz, issuer } = await setup();
    const isolated = 'https://isolated.example';
    const context = new TenantContext(
      { ...tenant.tenant, aliases: [{ issuer: isolated, mode: 'PERSISTED_GRANT_ISOLATION' }] },
      tenant.keys,
      [],
      tenant.secrets,
    );
    const response = await issuer.issue(
      context,
      authz({ iss: isolated, longLived: true, refreshToken: { issue: true, lifetime: 0, maxIdle: 0, rotate: false } }),
    );
    expect(response.refresh_token!.split('.')).toHaveLength(5);
    expect(await plane.ports.authorizations.find(tenant.tenant.tid, { sub: 'alice' })).toEqual([]);
  });
});
