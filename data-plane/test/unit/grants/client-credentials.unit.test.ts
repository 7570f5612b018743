import { describe, expect, it } from 'vitest';
import { clientCredentialsGrant } from '../../../src/grants/client-credentials.ts';
import { INTROSPECTION_SCOPE } from '../../../src/oauth/introspection-scope.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { grantRequest } from '../support/grant-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';
import { verifyWithPublishedKeys } from '../support/published-keys.ts';

// RFC 6749 §4.4 on the in-memory ports: the client is the subject, the scope is what it may have, nothing is persisted.

async function setup(
  config: Record<string, unknown> = {},
  metadata: Record<string, unknown> = { scope: 'read write' },
) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({ ...EC_KEYS, ...config });
  const client = await registerClient(plane, tenant, { clientId: 'svc', metadata });
  const grant = (params: Record<string, string>) =>
    clientCredentialsGrant.handle(grantRequest(plane, tenant, client, params));
  return { plane, tenant, client, grant };
}

describe('client_credentials grant', () => {
  it('issues a JWT access token for the client itself, signed with a published key, living the tenant lifetime by the clock', async () => {
    const { plane, tenant, grant } = await setup({ tokens: { accessTokenLifetime: 900 } });
    const response = await grant({ scope: 'read' });
    expect(Object.keys(response).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(response).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'read' });

    const { header, claims } = await verifyWithPublishedKeys(plane, tenant, response.access_token);
    const now = Math.floor(plane.clock.now() / 1000);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(claims).toMatchObject({
      iss: tenant.tenant.issuer,
      sub: 'svc',
      cid: 'svc',
      scp: ['read'],
      iat: now,
      exp: now + 900,
    });
    expect(claims.jti).toEqual(expect.any(String));
  });

  it('issues no refresh token and persists no authorisation, even for a client registered for refresh_token', async () => {
    const { plane, tenant, grant } = await setup(
      {},
      { scope: 'read', grant_types: ['client_credentials', 'refresh_token'] },
    );
    const response = await grant({});
    expect(response.refresh_token).toBeUndefined();
    expect(await plane.ports.authorizations.find(tenant.tenant.tid, { cid: 'svc' })).toEqual([]);
  });

  it('keeps an identifier access token in the store, with its authorisation, until the clock passes its expiry', async () => {
    const { plane, tenant, grant } = await setup({
      tokens: { accessTokenFormat: 'identifier', accessTokenLifetime: 60 },
    });
    const { access_token: token, expires_in: lifetime } = await grant({ scope: 'write' });
    expect(lifetime).toBe(60);
    expect(token.split('.')).toHaveLength(1);
    const now = Math.floor(plane.clock.now() / 1000);
    expect(await plane.ports.accessTokens.get(tenant.tenant.tid, token)).toMatchObject({
      iss: tenant.tenant.issuer,
      iat: now,
      exp: now + 60,
      authz: { sub: 'svc', cid: 'svc', scp: ['write'] },
    });
    plane.clock.advanceSeconds(60);
    expect(await plane.ports.accessTokens.get(tenant.tenant.tid, token)).toBeNull();
  });

  it('grants the registered scope when none is asked for, less what the tenant does not support', async () => {
    const { grant } = await setup({ scopes: { supported: ['read'] } });
    expect((await grant({})).scope).toBe('read');
  });

  it('refuses a scope value the client did not register, or the tenant does not support', async () => {
    const { grant } = await setup({ scopes: { supported: ['read', 'write'] } }, { scope: 'read write admin' });
    await expect(grant({ scope: 'read delete' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'invalid_scope',
      message: 'The client may not request: delete',
    });
    // Registered, but not a value of the tenant's.
    await expect(grant({ scope: 'admin' })).rejects.toMatchObject({
      code: 'invalid_scope',
      message: 'The client may not request: admin',
    });
    await expect(grant({ scope: 'read"' })).rejects.toMatchObject({
      code: 'invalid_scope',
      message: 'The scope contains invalid characters',
    });
  });

  it('gives a client that registered no scope the tenant default set, never a reserved value', async () => {
    const { grant } = await setup({ scopes: { defaultClientScope: ['profile', INTROSPECTION_SCOPE] } }, {});
    expect((await grant({ scope: 'profile' })).scope).toBe('profile');
    // Asking for nothing gets nothing: the default set is what it may ask for, not what it gets.
    expect((await grant({})).scope).toBeUndefined();
    await expect(grant({ scope: INTROSPECTION_SCOPE })).rejects.toMatchObject({ code: 'invalid_scope' });
  });

  it('gives the introspection scope to a client that registered it', async () => {
    const { grant } = await setup({}, { scope: INTROSPECTION_SCOPE });
    expect((await grant({})).scope).toBe(INTROSPECTION_SCOPE);
  });

  it('refuses public clients', async () => {
    const { grant } = await setup({}, { scope: 'read', token_endpoint_auth_method: 'none' });
    await expect(grant({})).rejects.toMatchObject({ statusCode: 400, code: 'unauthorized_client' });
  });
});
