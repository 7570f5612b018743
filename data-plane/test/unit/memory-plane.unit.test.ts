import type { Client } from '@tessera/shared/clients/client';
import { compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { clientCredentialsGrant } from '../../src/grants/client-credentials.ts';
import type { GrantRequest } from '../../src/grants/grant.ts';
import { newAuthorization } from '../../src/grants/new-authorization.ts';
import { refreshTokenGrant } from '../../src/grants/refresh-token.ts';
import { inspectAccessToken } from '../../src/oauth/token-inspection.ts';
import type { TenantContext } from '../../src/tenancy/tenant-context.ts';
import { type MemoryPlane, memoryPlane } from './support/memory-plane.ts';

// The token issuer and two grants on the in-memory ports, time moved by the clock: the pattern for grant unit tests.

const client = (tid: string): Client => {
  const now = new Date();
  return {
    tid,
    clientId: 'app',
    secret: 's3cret',
    secretExpiresAt: null,
    previousSecret: null,
    previousSecretValidUntil: null,
    registrationTokenSha256: null,
    createdAt: now,
    updatedAt: now,
    metadata: {
      grant_types: ['client_credentials', 'refresh_token'],
      scope: 'read write',
      token_endpoint_auth_method: 'client_secret_basic',
    },
  };
};

const grantRequest = (plane: MemoryPlane, tenant: TenantContext, params: Record<string, string>): GrantRequest => ({
  tenant,
  issuer: tenant.tenant.issuer,
  client: client(tenant.tenant.tid),
  params,
  ip: '192.0.2.1',
  deps: plane.deps,
});

describe('token issuance on the in-memory ports', () => {
  it('signs client credentials access tokens with the tenant key the JWK set publishes', async () => {
    const plane = memoryPlane();
    const tenant = await plane.tenant({ keys: { signingAlgorithms: ['ES256', 'RS256'], encryptionAlgorithms: [] } });
    const response = await clientCredentialsGrant.handle(grantRequest(plane, tenant, { scope: 'read' }));
    expect(response).toMatchObject({ token_type: 'Bearer', scope: 'read' });
    const key = tenant.keys.find((k) => k.alg === 'ES256')!;
    const { payload } = await compactVerify(response.access_token, await importJWK(key.jwk, 'ES256'));
    expect(JSON.parse(Buffer.from(payload).toString())).toMatchObject({
      sub: 'app',
      iat: Math.floor(plane.clock.now() / 1000),
    });
  });

  it('keeps identifier access tokens until they expire by the clock', async () => {
    const plane = memoryPlane();
    const tenant = await plane.tenant({
      tokens: { accessTokenFormat: 'identifier', accessTokenLifetime: 600 },
      keys: { signingAlgorithms: ['ES256', 'RS256'], encryptionAlgorithms: [] },
    });
    const { access_token: token, expires_in: lifetime } = await clientCredentialsGrant.handle(
      grantRequest(plane, tenant, {}),
    );
    expect(lifetime).toBe(600);
    expect(await inspectAccessToken(tenant, tenant.tenant.issuer, token, plane.deps)).toMatchObject({
      sub: 'app',
      kind: 'identifier',
    });
    plane.clock.advanceSeconds(599);
    expect(await inspectAccessToken(tenant, tenant.tenant.issuer, token, plane.deps)).not.toBeNull();
    plane.clock.advanceSeconds(1);
    expect(await inspectAccessToken(tenant, tenant.tenant.issuer, token, plane.deps)).toBeNull();
  });

  it('rotates a persisted refresh token and revokes the authorisation when it is replayed after the grace period', async () => {
    const plane = memoryPlane();
    const tenant = await plane.tenant({
      tokens: { refreshTokenReuseGracePeriod: 10 },
      keys: { signingAlgorithms: ['ES256', 'RS256'], encryptionAlgorithms: [] },
    });
    const authz = newAuthorization(tenant.tenant.config, {
      sub: 'alice',
      cid: 'app',
      scp: ['read'],
      iss: tenant.tenant.issuer,
      longLived: true,
    });
    authz.refreshToken = { issue: true, lifetime: 0, maxIdle: 0, rotate: true };
    const first = (await plane.deps.oauth.issuer.issue(tenant, authz)).refresh_token!;
    const second = (await refreshTokenGrant.handle(grantRequest(plane, tenant, { refresh_token: first })))
      .refresh_token!;
    expect(second).not.toBe(first);
    plane.clock.advanceSeconds(5);
    expect(
      (await refreshTokenGrant.handle(grantRequest(plane, tenant, { refresh_token: first }))).access_token,
    ).toBeTruthy();
    plane.clock.advanceSeconds(6);
    await expect(refreshTokenGrant.handle(grantRequest(plane, tenant, { refresh_token: first }))).rejects.toMatchObject(
      { code: 'invalid_grant' },
    );
    await expect(
      refreshTokenGrant.handle(grantRequest(plane, tenant, { refresh_token: second })),
    ).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(await plane.ports.authorizations.find(tenant.tenant.tid, { sub: 'alice' })).toEqual([]);
    expect(
      await plane.ports.journal.isRevoked(tenant.tenant.tid, 'alice', 'app', Math.floor(plane.clock.now() / 1000)),
    ).toBe(true);
  });
});
