import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { hostedSignIn } from './support/hosted-sign-in.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const ORDERS = 'https://orders.example.com/api';
const BILLING = 'https://billing.example.com/';
const REDIRECT = 'https://app.example.com/cb';

/**
 * RFC 8707 resource indicators end to end: resource servers registered
 * through the integration API and the control plane, tokens for them got
 * with openid-client 6 (client credentials, the code flow, a narrowed
 * refresh) and their `aud` verified with jose against the tenant's JWKS.
 */
describe('resource servers and audience-restricted tokens', () => {
  let planes: InProcessPlanes;
  const t: Record<'a' | 'b', { tid: string; issuer: string; apiToken: string }> = {} as never;
  let machine: { clientId: string; secret: string };
  let other: { clientId: string; secret: string };

  const api = (who: 'a' | 'b', method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) =>
    planes.dp.app.inject({
      method,
      url: `/resource-servers/rest/v1${path}`,
      headers: { 'tenant-id': t[who].tid, authorization: `Bearer ${t[who].apiToken}` },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
  const identifiers = async (who: 'a' | 'b') =>
    ((await api(who, 'GET', '')).json() as { resource_servers: { identifier: string }[] }).resource_servers.map(
      (r) => r.identifier,
    );
  const discover = (who: 'a' | 'b', client: { clientId: string; secret: string }) =>
    oidc.discovery(new URL(t[who].issuer), client.clientId, undefined, oidc.ClientSecretBasic(client.secret), {
      execute: [oidc.allowInsecureRequests],
    });
  const targetError = async (work: Promise<unknown>) => {
    const err = (await work.then(
      () => undefined,
      (e: unknown) => e,
    )) as { error?: string } | undefined;
    return err?.error;
  };

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    for (const who of ['a', 'b'] as const) {
      const tid = uniqueTid(`rs-${who}`);
      const issuer = `${planes.dataPlaneUrl}/${tid}`;
      const { apiToken } = await planes.createTenant({
        tid,
        name: tid,
        issuer,
        config: { grants: { grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] } },
      });
      t[who] = { tid, issuer, apiToken };
    }
    machine = (await addClient(planes.s, t.a.tid, {
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
    })) as { clientId: string; secret: string };
    other = (await addClient(planes.s, t.a.tid, {
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
    })) as { clientId: string; secret: string };
    const orders = await api('a', 'POST', '', {
      identifier: ORDERS,
      name: 'Orders',
      scopes: ['orders:read', 'orders:write'],
      access_token: { profile: 'oauth-1.0', lifetime: 120 },
      allowed_clients: [machine.clientId, 'web'],
    });
    expect(orders.statusCode).toBe(201);
    const billing = await api('a', 'POST', '', { identifier: BILLING, name: 'Billing', scopes: ['billing:read'] });
    expect(billing.statusCode).toBe(201);
  }, 90_000);
  afterAll(async () => planes.close());

  it('issues a client credentials token whose aud is the resource, verified with jose against the JWKS', async () => {
    const config = await discover('a', machine);
    const tokens = await oidc.clientCredentialsGrant(config, { resource: ORDERS, scope: 'orders:read' });
    expect(tokens.expires_in).toBe(120);
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: t.a.issuer,
      audience: ORDERS,
      typ: 'at+jwt',
    });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({ aud: [ORDERS], client_id: machine.clientId, scope: 'orders:read' });
    const introspection = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(introspection).toMatchObject({ active: true, aud: [ORDERS] });
    // Auth0's audience is the same thing.
    const viaAudience = await oidc.clientCredentialsGrant(config, { audience: BILLING, scope: 'billing:read' });
    expect(decodeJwt(viaAudience.access_token).aud).toEqual([BILLING]);
  });

  it('refuses a resource the client may not use, an unknown or malformed one, and an API scope without its API', async () => {
    expect(await targetError(oidc.clientCredentialsGrant(await discover('a', other), { resource: ORDERS }))).toBe(
      'invalid_target',
    );
    const config = await discover('a', machine);
    expect(await targetError(oidc.clientCredentialsGrant(config, { resource: 'https://nope.example.com/' }))).toBe(
      'invalid_target',
    );
    expect(await targetError(oidc.clientCredentialsGrant(config, { resource: `${ORDERS}#frag` }))).toBe(
      'invalid_target',
    );
    expect(await targetError(oidc.clientCredentialsGrant(config, { scope: 'orders:read' }))).toBe('invalid_scope');
    expect(await targetError(oidc.clientCredentialsGrant(config, { resource: BILLING, scope: 'orders:read' }))).toBe(
      'invalid_scope',
    );
  });

  it("does not know tenant A's resource at tenant B", async () => {
    const b = (await addClient(planes.s, t.b.tid, {
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
    })) as { clientId: string; secret: string };
    expect(await targetError(oidc.clientCredentialsGrant(await discover('b', b), { resource: ORDERS }))).toBe(
      'invalid_target',
    );
    expect(await identifiers('b')).toEqual([]);
  });

  it('carries resources through the code flow and narrows a refresh to one of them', async () => {
    const web = await addClient(
      planes.s,
      t.a.tid,
      {
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      { clientId: 'web' },
    );
    const user = await planes.dp.app.inject({
      method: 'POST',
      url: '/directory/rest/v1/users',
      headers: { 'tenant-id': t.a.tid, authorization: `Bearer ${t.a.apiToken}` },
      payload: { username: 'rita', password: 'pw-rita-long-enough' },
    });
    expect(user.statusCode).toBe(201);
    const signIn = await hostedSignIn(planes.dp.app, {
      tid: t.a.tid,
      client: { clientId: web.clientId, secret: web.secret! },
      redirectUri: REDIRECT,
      scope: 'openid orders:read billing:read',
      username: 'rita',
      password: 'pw-rita-long-enough',
      // Two resources: `resource` and Auth0's `audience` name one each.
      params: { resource: ORDERS, audience: BILLING },
    });
    expect(signIn.tokens?.statusCode).toBe(200);
    const tokens = signIn.tokens!.json() as { access_token: string; refresh_token: string; id_token: string };
    expect(decodeJwt(tokens.access_token).aud).toEqual([ORDERS, BILLING]);
    expect(tokens.id_token).toBeTruthy();

    const config = await discover('a', web as { clientId: string; secret: string });
    const narrowed = await oidc.refreshTokenGrant(config, tokens.refresh_token, { resource: BILLING });
    const claims = decodeJwt(narrowed.access_token);
    expect(claims.aud).toEqual([BILLING]);
    expect(claims.scp).toEqual(['openid', 'billing:read']);
    expect(
      await targetError(
        oidc.refreshTokenGrant(config, tokens.refresh_token, { resource: 'https://nope.example.com/' }),
      ),
    ).toBe('invalid_target');

    // The authorisation request refuses an unknown resource with a redirect carrying invalid_target.
    const refused = await planes.dp.app.inject({
      method: 'GET',
      url: `/login?${new URLSearchParams({
        response_type: 'code',
        client_id: web.clientId,
        redirect_uri: REDIRECT,
        scope: 'openid',
        resource: 'https://nope.example.com/',
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'S256',
      })}`,
      headers: { 'tenant-id': t.a.tid },
    });
    expect(refused.statusCode).toBe(303);
    expect(new URL(String(refused.headers.location)).searchParams.get('error')).toBe('invalid_target');
  });

  it('manages resource servers through the integration API: bad input is a 4xx and writes nothing', async () => {
    const before = await identifiers('a');
    for (const bad of [
      { identifier: 'not-a-uri', name: 'x' },
      { identifier: 'https://x.example.com/#f', name: 'x' },
      { identifier: 'https://x.example.com/', name: 'x', access_token: { alg: 'PS512' } },
      { identifier: 'https://x.example.com/', name: 'x', extra: true },
      { identifier: 'https://x.example.com/' },
    ]) {
      const res = await api('a', 'POST', '', bad);
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json()).toHaveProperty('error');
    }
    expect((await api('a', 'POST', '', { identifier: ORDERS, name: 'again' })).statusCode).toBe(409);
    expect(await identifiers('a')).toEqual(before);

    const created = await api('a', 'POST', '', { identifier: 'urn:example:inventory', name: 'Inventory' });
    expect(created.statusCode).toBe(201);
    const { id } = created.json() as { id: string };
    expect(await identifiers('a')).toContain('urn:example:inventory');
    expect((await api('b', 'GET', `/${id}`)).statusCode).toBe(404);
    const replaced = await api('a', 'PUT', `/${id}`, { name: 'Stock', scopes: ['stock:read'] });
    expect(replaced.json()).toMatchObject({ name: 'Stock', scopes: ['stock:read'], allowed_clients: '*' });
    expect((await api('a', 'DELETE', `/${id}`)).statusCode).toBe(204);
    expect((await api('a', 'DELETE', `/${id}`)).statusCode).toBe(404);
    expect(await identifiers('a')).not.toContain('urn:example:inventory');
    // Deleted: its tokens are no longer issued (the cache was told).
    const config = await discover('a', machine);
    expect(await targetError(oidc.clientCredentialsGrant(config, { resource: 'urn:example:inventory' }))).toBe(
      'invalid_target',
    );
  });

  it('manages resource servers through the control plane, on the same table', async () => {
    const operator = { authorization: `Bearer ${planes.s.operatorKey}` };
    const base = `/tenants/rest/v1/${t.b.tid}/resource-servers`;
    const bad = await planes.cp.inject({
      method: 'POST',
      url: base,
      headers: operator,
      payload: { identifier: 'x:y#z', name: 'n' },
    });
    expect(bad.statusCode).toBe(400);
    expect(await identifiers('b')).toEqual([]);
    const created = await planes.cp.inject({
      method: 'POST',
      url: base,
      headers: operator,
      payload: { identifier: 'https://reports.example.com/', name: 'Reports', allowed_clients: '*' },
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json() as { id: string };
    const listed = await planes.cp.inject({ method: 'GET', url: base, headers: operator });
    expect(listed.json()).toMatchObject({ resource_servers: [{ id, identifier: 'https://reports.example.com/' }] });
    expect(await identifiers('b')).toEqual(['https://reports.example.com/']);
    expect(await identifiers('a')).not.toContain('https://reports.example.com/');
    const unknownTenant = await planes.cp.inject({
      method: 'GET',
      url: `/tenants/rest/v1/${uniqueTid('none')}/resource-servers`,
      headers: operator,
    });
    expect(unknownTenant.statusCode).toBe(404);
    expect((await planes.cp.inject({ method: 'DELETE', url: `${base}/${id}`, headers: operator })).statusCode).toBe(
      204,
    );
    expect(await identifiers('b')).toEqual([]);
  });
});
