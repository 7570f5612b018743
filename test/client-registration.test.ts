import type { DataPlane } from '@tessera/data-plane/server';
import { ClientStore } from '@tessera/shared/clients/client-store';
import { sha256Hex } from '@tessera/shared/http/api-token';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServices, uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

type Info = Record<string, unknown> & {
  client_id: string;
  client_secret?: string;
  registration_access_token?: string;
  registration_client_uri: string;
};

const WEB = { redirect_uris: ['https://app.example.com/callback'] };

describe('client registration (/clients, RFC 7591 / RFC 7592)', () => {
  let planes: InProcessPlanes;
  let s: TestServices;
  let dp: DataPlane;
  const tenants: Record<'a' | 'b', { tid: string; token: string; issuer: string }> = {} as never;

  const call = (
    who: 'a' | 'b',
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: { token?: string | null; body?: unknown; raw?: string; contentType?: string } = {},
  ) => {
    const token = options.token === undefined ? tenants[who].token : options.token;
    const payload = options.raw ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
    return dp.app.inject({
      method,
      url: path,
      headers: {
        'tenant-id': tenants[who].tid,
        ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
        ...(payload !== undefined ? { 'content-type': options.contentType ?? 'application/json' } : {}),
      },
      ...(payload !== undefined ? { payload } : {}),
    });
  };
  const register = async (body: Record<string, unknown>, who: 'a' | 'b' = 'a'): Promise<Info> => {
    const res = await call(who, 'POST', '/clients', { body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as Info;
  };
  const row = (tid: string, clientId: string) =>
    s.db
      .selectFrom('clients')
      .selectAll()
      .where('tid', '=', tid)
      .where('client_id', '=', clientId)
      .executeTakeFirstOrThrow();

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    ({ s, dp } = planes);
    for (const who of ['a', 'b'] as const) {
      const tid = uniqueTid(`reg-${who}`);
      const issuer = `https://${tid}.example.com`;
      const { apiToken } = await planes.createTenant({
        tid,
        name: tid,
        issuer,
        // More clients than the free plan's quota of 10 (count-quotas.test.ts tests the quotas).
        plan: 'enterprise',
        // A: implicit and hybrid enabled, to test response/grant type consistency; B: the defaults.
        config:
          who === 'a'
            ? {
                grants: {
                  grantTypes: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'],
                  responseTypes: ['code', 'id_token', 'id_token token', 'code id_token'],
                },
              }
            : {},
      });
      tenants[who] = { tid, token: apiToken, issuer };
    }
  }, 60_000);
  afterAll(async () => planes.close());

  it('advertises registration_endpoint in the discovery documents', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const res = await dp.app.inject({ method: 'GET', url: path, headers: { 'tenant-id': tenants.a.tid } });
      expect(res.statusCode).toBe(200);
      expect(res.json().registration_endpoint).toBe(`${tenants.a.issuer}/clients`);
    }
  });

  it('registers with the master token: 201, every member, defaults, no-store', async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await call('a', 'POST', '/clients', {
      body: {
        ...WEB,
        client_name: 'Example',
        'client_name#fr': 'Exemple',
        client_uri: 'https://app.example.com',
        logo_uri: 'https://app.example.com/logo.png',
        scope: 'openid email',
        contacts: ['ops@example.com'],
        tos_uri: 'https://app.example.com/tos',
        policy_uri: 'http://app.example.com/policy',
        software_id: 'sw-1',
        software_version: '1.2',
        post_logout_redirect_uris: ['https://app.example.com/bye'],
        id_token_signed_response_alg: 'ES256',
        x_vendor_extension: { keep: ['me'] },
        logo_uri_extra: 'kept too',
        refresh_client_secret: true,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.pragma).toBe('no-cache');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const info = res.json() as Info;
    expect(info.client_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(info.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(info.client_secret_expires_at).toBe(0);
    expect(info.client_id_issued_at).toBeGreaterThanOrEqual(before - 1);
    expect(info.client_id_issued_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 1);
    expect(info.registration_access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(info.registration_client_uri).toBe(`${tenants.a.issuer}/clients/${info.client_id}`);
    expect(info).toMatchObject({
      redirect_uris: WEB.redirect_uris,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      application_type: 'web',
      client_name: 'Example',
      'client_name#fr': 'Exemple',
      scope: 'openid email',
      contacts: ['ops@example.com'],
      policy_uri: 'http://app.example.com/policy',
      post_logout_redirect_uris: ['https://app.example.com/bye'],
      id_token_signed_response_alg: 'ES256',
      software_id: 'sw-1',
      software_version: '1.2',
      x_vendor_extension: { keep: ['me'] },
      logo_uri_extra: 'kept too',
    });
    expect(info).not.toHaveProperty('refresh_client_secret');
  });

  it('refuses registration without the master token (401 invalid_token, WWW-Authenticate: Bearer)', async () => {
    const missing = await call('a', 'POST', '/clients', { token: null, body: WEB });
    expect(missing.statusCode).toBe(401);
    expect(missing.json().error).toBe('invalid_token');
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    for (const token of ['not-a-token-of-this-tenant', tenants.b.token]) {
      const wrong = await call('a', 'POST', '/clients', { token, body: WEB });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().error).toBe('invalid_token');
      expect(wrong.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    // A registration access token is not a master token either.
    const client = await register(WEB);
    expect(
      (await call('a', 'POST', '/clients', { token: client.registration_access_token!, body: WEB })).statusCode,
    ).toBe(401);
    expect((await call('a', 'GET', '/clients', { token: client.registration_access_token! })).statusCode).toBe(401);
  });

  const refused: Array<[string, Record<string, unknown>, 'invalid_redirect_uri' | 'invalid_client_metadata']> = [
    ['javascript: redirect URI', { redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri'],
    [
      'JavaScript: in another case',
      { redirect_uris: ['JavaScript://app.example.com/%0Aalert(1)'] },
      'invalid_redirect_uri',
    ],
    ['javascript: hidden by a tab', { redirect_uris: ['java\tscript:alert(1)'] }, 'invalid_redirect_uri'],
    ['data: redirect URI', { redirect_uris: ['data:text/html,<script>alert(1)</script>'] }, 'invalid_redirect_uri'],
    ['vbscript: redirect URI', { redirect_uris: ['vbscript:msgbox(1)'] }, 'invalid_redirect_uri'],
    [
      'data: redirect URI for a native client',
      { application_type: 'native', redirect_uris: ['data:,x'] },
      'invalid_redirect_uri',
    ],
    [
      'http redirect URI off localhost (web)',
      { redirect_uris: ['http://app.example.com/callback'] },
      'invalid_redirect_uri',
    ],
    [
      'http redirect URI on a look-alike host',
      { redirect_uris: ['http://localhost.example.com/callback'] },
      'invalid_redirect_uri',
    ],
    ['custom scheme for a web client', { redirect_uris: ['com.example.app:/callback'] }, 'invalid_redirect_uri'],
    [
      'http off loopback for a native client',
      { application_type: 'native', redirect_uris: ['http://app.example.com/callback'] },
      'invalid_redirect_uri',
    ],
    [
      'file: for a native client',
      { application_type: 'native', redirect_uris: ['file:///tmp/x'] },
      'invalid_redirect_uri',
    ],
    ['relative redirect URI', { redirect_uris: ['/callback'] }, 'invalid_redirect_uri'],
    ['redirect URI with a fragment', { redirect_uris: ['https://app.example.com/callback#x'] }, 'invalid_redirect_uri'],
    [
      'redirect URI with an empty fragment',
      { redirect_uris: ['https://app.example.com/callback#'] },
      'invalid_redirect_uri',
    ],
    [
      'redirect URI with code in the query',
      { redirect_uris: ['https://app.example.com/callback?code=1'] },
      'invalid_redirect_uri',
    ],
    [
      'redirect URI with state in the query',
      { redirect_uris: ['https://app.example.com/callback?a=1&state=x'] },
      'invalid_redirect_uri',
    ],
    [
      'redirect URI with response in the query',
      { redirect_uris: ['https://app.example.com/callback?response=x'] },
      'invalid_redirect_uri',
    ],
    [
      'redirect URI with user information',
      { redirect_uris: ['https://user:pw@app.example.com/callback'] },
      'invalid_redirect_uri',
    ],
    ['redirect URI with a space', { redirect_uris: ['https://app.example.com/call back'] }, 'invalid_redirect_uri'],
    ['redirect_uris not an array', { redirect_uris: 'https://app.example.com/callback' }, 'invalid_redirect_uri'],
    ['no redirect URI for authorization_code', {}, 'invalid_redirect_uri'],
    ['empty redirect_uris for authorization_code', { redirect_uris: [] }, 'invalid_redirect_uri'],
    [
      'implicit web client on localhost',
      { grant_types: ['implicit'], response_types: ['id_token'], redirect_uris: ['http://localhost/cb'] },
      'invalid_redirect_uri',
    ],
    [
      'javascript: post-logout redirect URI',
      { ...WEB, post_logout_redirect_uris: ['javascript:alert(1)'] },
      'invalid_client_metadata',
    ],
    [
      'post-logout redirect URI with a fragment',
      { ...WEB, post_logout_redirect_uris: ['https://app.example.com/bye#x'] },
      'invalid_client_metadata',
    ],
    ['javascript: client_uri', { ...WEB, client_uri: 'javascript:alert(1)' }, 'invalid_client_metadata'],
    ['data: logo_uri', { ...WEB, logo_uri: 'data:image/png;base64,AAAA' }, 'invalid_client_metadata'],
    ['vbscript: tos_uri', { ...WEB, tos_uri: 'vbscript:x' }, 'invalid_client_metadata'],
    ['ftp: policy_uri', { ...WEB, policy_uri: 'ftp://example.com/policy' }, 'invalid_client_metadata'],
    [
      'javascript: in a language-tagged client_uri',
      { ...WEB, 'client_uri#fr': 'javascript:alert(1)' },
      'invalid_client_metadata',
    ],
    [
      'javascript: in an extension URI member',
      { ...WEB, initiate_login_uri: 'javascript:alert(1)' },
      'invalid_client_metadata',
    ],
    ['javascript: in contacts', { ...WEB, contacts: ['javascript:alert(1)'] }, 'invalid_client_metadata'],
    ['http jwks_uri', { ...WEB, jwks_uri: 'http://app.example.com/jwks.json' }, 'invalid_client_metadata'],
    [
      'jwks and jwks_uri together',
      {
        ...WEB,
        jwks_uri: 'https://app.example.com/jwks.json',
        jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] },
      },
      'invalid_client_metadata',
    ],
    [
      'private_key_jwt without keys',
      { ...WEB, token_endpoint_auth_method: 'private_key_jwt' },
      'invalid_client_metadata',
    ],
    [
      'jwks with a private key (d)',
      { ...WEB, jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'secret' }] } },
      'invalid_client_metadata',
    ],
    [
      'jwks with an RSA private member (p)',
      { ...WEB, jwks: { keys: [{ kty: 'RSA', n: 'n', e: 'AQAB', p: 'secret' }] } },
      'invalid_client_metadata',
    ],
    [
      'jwks with a symmetric key (k)',
      { ...WEB, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } },
      'invalid_client_metadata',
    ],
    ['jwks without keys', { ...WEB, jwks: { keys: [] } }, 'invalid_client_metadata'],
    [
      'public client with client_credentials',
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' },
      'invalid_client_metadata',
    ],
    [
      'public client with an HMAC ID token algorithm',
      { ...WEB, token_endpoint_auth_method: 'none', id_token_signed_response_alg: 'HS256' },
      'invalid_client_metadata',
    ],
    [
      'RSA algorithm for client_secret_jwt',
      { ...WEB, token_endpoint_auth_method: 'client_secret_jwt', token_endpoint_auth_signing_alg: 'RS256' },
      'invalid_client_metadata',
    ],
    [
      'unknown token_endpoint_auth_method',
      { ...WEB, token_endpoint_auth_method: 'tls_client_auth_maybe' },
      'invalid_client_metadata',
    ],
    [
      'response type token without the implicit grant',
      { ...WEB, response_types: ['code', 'id_token token'] },
      'invalid_client_metadata',
    ],
    [
      'implicit grant without a token response type',
      { ...WEB, grant_types: ['authorization_code', 'implicit'] },
      'invalid_client_metadata',
    ],
    [
      'code response type without authorization_code',
      { ...WEB, grant_types: ['implicit'], response_types: ['code', 'id_token'] },
      'invalid_client_metadata',
    ],
    [
      'response type the tenant does not enable',
      { ...WEB, grant_types: ['authorization_code', 'implicit'], response_types: ['code token'] },
      'invalid_client_metadata',
    ],
    [
      'grant type the tenant does not enable',
      { ...WEB, grant_types: ['authorization_code', 'password'] },
      'invalid_client_metadata',
    ],
    [
      'ID token algorithm the tenant has no key for',
      { ...WEB, id_token_signed_response_alg: 'PS512' },
      'invalid_client_metadata',
    ],
    [
      'ID token alg none with an id_token response',
      { ...WEB, grant_types: ['implicit'], response_types: ['id_token'], id_token_signed_response_alg: 'none' },
      'invalid_client_metadata',
    ],
    [
      'ID token alg none for a code-flow client (unsigned ID tokens are never issued)',
      { ...WEB, id_token_signed_response_alg: 'none' },
      'invalid_client_metadata',
    ],
    [
      'duplicate grant types',
      { ...WEB, grant_types: ['authorization_code', 'authorization_code'] },
      'invalid_client_metadata',
    ],
    ['client_name not a string', { ...WEB, client_name: 42 }, 'invalid_client_metadata'],
    ['scope not a space-separated string', { ...WEB, scope: ['openid'] }, 'invalid_client_metadata'],
    ['scope with a double space', { ...WEB, scope: 'openid  email' }, 'invalid_client_metadata'],
    ['contacts not an array', { ...WEB, contacts: 'ops@example.com' }, 'invalid_client_metadata'],
    ['application_type other than web/native', { ...WEB, application_type: 'desktop' }, 'invalid_client_metadata'],
    ['client_id sent by the client', { ...WEB, client_id: 'mine' }, 'invalid_client_metadata'],
    ['client_secret sent by the client', { ...WEB, client_secret: 'mine' }, 'invalid_client_metadata'],
    [
      'registration_access_token sent by the client',
      { ...WEB, registration_access_token: 'mine' },
      'invalid_client_metadata',
    ],
    [
      'registration_client_uri sent by the client',
      { ...WEB, registration_client_uri: 'https://evil.example.com/' },
      'invalid_client_metadata',
    ],
    ['client_id_issued_at sent by the client', { ...WEB, client_id_issued_at: 1 }, 'invalid_client_metadata'],
    ['client_secret_expires_at sent by the client', { ...WEB, client_secret_expires_at: 0 }, 'invalid_client_metadata'],
    [
      'preferred_client_secret (secrets are generated)',
      { ...WEB, preferred_client_secret: 'mine' },
      'invalid_client_metadata',
    ],
    ['preferred_client_id with a slash', { ...WEB, preferred_client_id: 'a/b' }, 'invalid_client_metadata'],
    [
      'preferred_client_id over 80 characters',
      { ...WEB, preferred_client_id: 'x'.repeat(81) },
      'invalid_client_metadata',
    ],
    ['data not an object', { ...WEB, data: ['x'] }, 'invalid_client_metadata'],
    ['refresh_client_secret not a boolean', { ...WEB, refresh_client_secret: 'yes' }, 'invalid_client_metadata'],
  ];

  it.each(refused)('refuses %s', async (_name, body, error) => {
    const res = await call('a', 'POST', '/clients', { body });
    expect(res.statusCode, res.body).toBe(400);
    const answer = res.json() as { error: string; error_description: string };
    expect(answer.error).toBe(error);
    expect(answer.error_description.length).toBeGreaterThan(0);
  });

  it('stores nothing for a refused registration', async () => {
    const count = async () =>
      Number(
        (
          await s.db
            .selectFrom('clients')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('tid', '=', tenants.a.tid)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    for (const [, body] of refused.slice(0, 5)) await call('a', 'POST', '/clients', { body });
    expect(await count()).toBe(before);
  });

  it('accepts localhost / loopback http for web clients, private-use schemes and claimed https for native ones', async () => {
    const web = await register({
      redirect_uris: [
        'http://localhost:3000/cb',
        'http://127.0.0.1/cb',
        'http://[::1]:8080/cb',
        'https://app.example.com/cb?tenant=x',
      ],
    });
    expect(web.redirect_uris).toHaveLength(4);
    const native = await register({
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: [
        'com.example.app:/oauth2redirect',
        'http://127.0.0.1:0/cb',
        'http://[::1]/cb',
        'https://app.example.com/native',
      ],
    });
    expect(native.application_type).toBe('native');
    // A public client gets no secret.
    expect(native).not.toHaveProperty('client_secret');
    expect(native).not.toHaveProperty('client_secret_expires_at');
    expect((await row(tenants.a.tid, native.client_id)).secret_sealed).toBeNull();
  });

  it('registers private_key_jwt clients without a secret, client_credentials clients without redirect URIs, hybrid clients', async () => {
    const pkjwt = await register({
      ...WEB,
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      jwks: {
        keys: [
          {
            kty: 'EC',
            crv: 'P-256',
            x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
            y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
          },
        ],
      },
    });
    expect(pkjwt).not.toHaveProperty('client_secret');
    expect(pkjwt.jwks).toEqual({ keys: [expect.objectContaining({ kty: 'EC' })] });

    const service = await register({ grant_types: ['client_credentials'] });
    expect(service.response_types).toEqual([]);
    expect(service).not.toHaveProperty('redirect_uris');
    expect(service.client_secret).toBeDefined();

    const hybrid = await register({
      ...WEB,
      grant_types: ['authorization_code', 'implicit'],
      response_types: ['id_token code'],
    });
    expect(hybrid.response_types).toEqual(['id_token code']);
  });

  it('takes preferred_client_id and data with the master token, refuses a taken id; ids are per tenant', async () => {
    const id = `my-app.${Date.now()}~x_1`;
    const client = await register({ ...WEB, preferred_client_id: id, data: { disable_sso: true } });
    expect(client.client_id).toBe(id);
    expect(client.registration_client_uri).toBe(`${tenants.a.issuer}/clients/${id}`);
    expect(client.data).toEqual({ disable_sso: true });
    expect(client).not.toHaveProperty('preferred_client_id');

    const taken = await call('a', 'POST', '/clients', { body: { ...WEB, preferred_client_id: id } });
    expect(taken.statusCode).toBe(400);
    expect(taken.json().error).toBe('invalid_client_metadata');
    expect(taken.json().error_description).toMatch(/already registered/);
    // the first registration is untouched
    expect((await row(tenants.a.tid, id)).registration_token_sha256).toBe(sha256Hex(client.registration_access_token!));

    const inB = await register({ ...WEB, preferred_client_id: id }, 'b');
    expect(inB.client_id).toBe(id);
  });

  it('reads, updates and deletes with the registration access token (RFC 7592)', async () => {
    const client = await register({ ...WEB, client_name: 'Before', scope: 'openid' });
    const path = `/clients/${client.client_id}`;
    const token = client.registration_access_token!;

    const read = await call('a', 'GET', path, { token });
    expect(read.statusCode).toBe(200);
    expect(read.headers['cache-control']).toBe('no-store');
    expect(read.headers.pragma).toBe('no-cache');
    const info = read.json() as Info;
    expect(info).toMatchObject({
      client_id: client.client_id,
      client_secret: client.client_secret,
      client_secret_expires_at: 0,
      client_id_issued_at: client.client_id_issued_at,
      registration_client_uri: client.registration_client_uri,
      client_name: 'Before',
    });
    expect(info).not.toHaveProperty('registration_access_token');

    // RFC 7592 §2.2: client_id is required and must match; client_secret, if sent, must be the current one.
    expect((await call('a', 'PUT', path, { token, body: { ...WEB } })).json().error).toBe('invalid_client_metadata');
    expect((await call('a', 'PUT', path, { token, body: { ...WEB, client_id: 'other' } })).statusCode).toBe(400);
    const badSecret = await call('a', 'PUT', path, {
      token,
      body: { ...WEB, client_id: client.client_id, client_secret: 'wrong' },
    });
    expect(badSecret.statusCode).toBe(400);
    expect(badSecret.json().error).toBe('invalid_client_metadata');
    const badUri = await call('a', 'PUT', path, {
      token,
      body: { client_id: client.client_id, redirect_uris: ['javascript:alert(1)'] },
    });
    expect(badUri.json().error).toBe('invalid_redirect_uri');
    // preferred_client_id and data need the master token
    expect(
      (await call('a', 'PUT', path, { token, body: { ...WEB, client_id: client.client_id, data: { x: 1 } } }))
        .statusCode,
    ).toBe(400);

    // Wholesale replacement; the members RFC 7592 says to ignore are ignored.
    const updated = await call('a', 'PUT', path, {
      token,
      body: {
        ...info,
        client_name: undefined,
        redirect_uris: ['https://app.example.com/new'],
        registration_access_token: token,
        scope: 'openid profile',
      },
    });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.headers['cache-control']).toBe('no-store');
    const after = updated.json() as Info;
    expect(after.redirect_uris).toEqual(['https://app.example.com/new']);
    expect(after.scope).toBe('openid profile');
    expect(after).not.toHaveProperty('client_name');
    expect(after.client_secret).toBe(client.client_secret); // no refresh asked
    expect(after.client_id_issued_at).toBe(client.client_id_issued_at);
    expect(after.registration_access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(after.registration_access_token).not.toBe(token);

    // The old registration access token is dead, the new one works.
    const old = await call('a', 'GET', path, { token });
    expect(old.statusCode).toBe(401);
    expect(old.json().error).toBe('invalid_token');
    const newToken = after.registration_access_token!;
    expect((await call('a', 'GET', path, { token: newToken })).json()).toMatchObject({ scope: 'openid profile' });

    // Another client's token does not open this one.
    const other = await register(WEB);
    expect((await call('a', 'GET', path, { token: other.registration_access_token! })).statusCode).toBe(401);
    expect((await call('a', 'DELETE', path, { token: other.registration_access_token! })).statusCode).toBe(401);

    const deleted = await call('a', 'DELETE', path, { token: newToken });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    const afterDelete = await call('a', 'GET', path, { token: newToken });
    expect(afterDelete.statusCode).toBe(401);
    expect(afterDelete.json().error).toBe('invalid_token');
    expect((await call('a', 'GET', path)).statusCode).toBe(404); // the master token may learn it is gone
    expect((await call('a', 'DELETE', path)).statusCode).toBe(404);
    expect(
      await s.db
        .selectFrom('clients')
        .select('client_id')
        .where('tid', '=', tenants.a.tid)
        .where('client_id', '=', client.client_id)
        .executeTakeFirst(),
    ).toBeUndefined();
  });

  it('echoes the logout members and applies them on update (RFC 7592); a bad one changes nothing', async () => {
    const logout = {
      frontchannel_logout_uri: 'https://app.example.com/fc-logout',
      frontchannel_logout_session_required: true,
      backchannel_logout_uri: 'https://backend.example.com/bc-logout',
      post_logout_redirect_uris: ['https://app.example.com/bye'],
    };
    const client = await register({ ...WEB, ...logout });
    expect(client).toMatchObject({ ...logout, backchannel_logout_session_required: false });
    const path = `/clients/${client.client_id}`;
    let token = client.registration_access_token!;

    const moved = { ...WEB, client_id: client.client_id, backchannel_logout_uri: 'https://backend.example.com/other' };
    const foreign = await call('a', 'PUT', path, {
      token,
      body: { ...moved, frontchannel_logout_uri: 'https://elsewhere.example.com/fc' },
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json()).toEqual({
      error: 'invalid_client_metadata',
      error_description:
        'frontchannel_logout_uri must have the scheme, host and port of a registered redirect URI: https://elsewhere.example.com/fc',
    });
    expect((await call('a', 'GET', path, { token })).json()).toMatchObject(logout);

    const updated = await call('a', 'PUT', path, {
      token,
      body: { ...moved, backchannel_logout_session_required: true },
    });
    expect(updated.statusCode, updated.body).toBe(200);
    const after = updated.json() as Info;
    expect(after).toMatchObject({
      backchannel_logout_uri: 'https://backend.example.com/other',
      backchannel_logout_session_required: true,
    });
    // Wholesale replacement: what the update left out is gone.
    expect(after).not.toHaveProperty('frontchannel_logout_uri');
    expect(after).not.toHaveProperty('frontchannel_logout_session_required');
    expect(after).not.toHaveProperty('post_logout_redirect_uris');
    token = after.registration_access_token!;
    expect((await call('a', 'GET', path, { token })).json()).toMatchObject({
      backchannel_logout_uri: 'https://backend.example.com/other',
    });
    const refused = await call('a', 'POST', '/clients', {
      body: { ...WEB, backchannel_logout_uri: 'http://backend.example.com/bc' },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toBe('invalid_client_metadata');
  });

  it('rotates the secret on refresh_client_secret; the previous one stays valid 30 minutes', async () => {
    const client = await register(WEB);
    const path = `/clients/${client.client_id}`;
    const res = await call('a', 'PUT', path, {
      token: client.registration_access_token!,
      body: { ...WEB, client_id: client.client_id, client_secret: client.client_secret, refresh_client_secret: true },
    });
    expect(res.statusCode, res.body).toBe(200);
    const after = res.json() as Info;
    expect(after.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(after.client_secret).not.toBe(client.client_secret);
    expect(after).not.toHaveProperty('refresh_client_secret');

    const stored = await row(tenants.a.tid, client.client_id);
    expect(stored.previous_secret_sealed).not.toBeNull();
    const validFor = new Date(stored.previous_secret_valid_until!).getTime() - Date.now();
    expect(validFor).toBeGreaterThan(29 * 60 * 1000);
    expect(validFor).toBeLessThanOrEqual(30 * 60 * 1000 + 5000);
    // Both secrets open from the store: the new one current, the old one previous.
    const opened = await new ClientStore(s.db, s.masterKey).get(tenants.a.tid, client.client_id);
    expect(opened!.secret).toBe(after.client_secret);
    expect(opened!.previousSecret).toBe(client.client_secret);
    // GET shows the new secret
    const read = await call('a', 'GET', path, { token: after.registration_access_token! });
    expect(read.json().client_secret).toBe(after.client_secret);

    // Switching to a method without a secret drops it; switching back issues a new one.
    const pub = await call('a', 'PUT', path, {
      token: after.registration_access_token!,
      body: { ...WEB, client_id: client.client_id, token_endpoint_auth_method: 'none' },
    });
    expect(pub.statusCode, pub.body).toBe(200);
    expect(pub.json()).not.toHaveProperty('client_secret');
    const back = await call('a', 'PUT', path, {
      token: pub.json().registration_access_token,
      body: { ...WEB, client_id: client.client_id },
    });
    expect(back.json().client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('lets the master token read, update and list clients; data set by it survives a client’s own update', async () => {
    const client = await register({ ...WEB, data: { tier: 'gold' } });
    const path = `/clients/${client.client_id}`;
    expect((await call('a', 'GET', path)).json()).toMatchObject({
      client_id: client.client_id,
      data: { tier: 'gold' },
    });

    // The client may echo data unchanged or leave it out; it stays.
    const echo = await call('a', 'PUT', path, {
      token: client.registration_access_token!,
      body: { ...WEB, client_id: client.client_id, data: { tier: 'gold' } },
    });
    expect(echo.statusCode, echo.body).toBe(200);
    const omit = await call('a', 'PUT', path, {
      token: echo.json().registration_access_token,
      body: { ...WEB, client_id: client.client_id },
    });
    expect(omit.json().data).toEqual({ tier: 'gold' });

    const byMaster = await call('a', 'PUT', path, {
      body: { ...WEB, client_id: client.client_id, data: { tier: 'silver' } },
    });
    expect(byMaster.statusCode, byMaster.body).toBe(200);
    expect(byMaster.json().data).toEqual({ tier: 'silver' });
    // a master update also replaces the registration access token
    expect((await call('a', 'GET', path, { token: omit.json().registration_access_token })).statusCode).toBe(401);

    const list = await call('a', 'GET', '/clients');
    expect(list.statusCode).toBe(200);
    expect(list.headers['cache-control']).toBe('no-store');
    const all = list.json() as Info[];
    const listed = all.find((c) => c.client_id === client.client_id)!;
    expect(listed).toMatchObject({ data: { tier: 'silver' }, registration_client_uri: client.registration_client_uri });
    for (const c of all) {
      expect(c).not.toHaveProperty('client_secret');
      expect(c).not.toHaveProperty('registration_access_token');
    }
    expect(all.every((c) => typeof c.client_id === 'string')).toBe(true);
  });

  it('keeps no client secret or registration access token in plain text in the database', async () => {
    const client = await register({ ...WEB, client_name: 'Sealed' });
    const rotated = (
      await call('a', 'PUT', `/clients/${client.client_id}`, {
        token: client.registration_access_token!,
        body: { ...WEB, client_id: client.client_id, refresh_client_secret: true },
      })
    ).json() as Info;
    const stored = await row(tenants.a.tid, client.client_id);
    const dump = JSON.stringify(stored);
    for (const secret of [
      client.client_secret!,
      client.registration_access_token!,
      rotated.client_secret!,
      rotated.registration_access_token!,
    ]) {
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(Buffer.from(secret).toString('base64'));
    }
    expect(stored.registration_token_sha256).toBe(sha256Hex(rotated.registration_access_token!));
    expect(Object.keys(stored.metadata as object)).not.toEqual(expect.arrayContaining(['client_secret']));
    expect(Object.keys(stored.metadata as object)).not.toEqual(expect.arrayContaining(['registration_access_token']));
  });

  it('keeps tenants apart', async () => {
    const client = await register(WEB);
    const path = `/clients/${client.client_id}`;
    // A's client, A's registration token, under tenant B: as if unknown.
    const crossRead = await call('b', 'GET', path, { token: client.registration_access_token! });
    expect(crossRead.statusCode).toBe(401);
    expect(crossRead.json().error).toBe('invalid_token');
    expect((await call('b', 'DELETE', path, { token: client.registration_access_token! })).statusCode).toBe(401);
    // B's master token does not find A's client; A's master token cannot register at B.
    expect((await call('b', 'GET', path)).statusCode).toBe(404);
    expect((await call('b', 'POST', '/clients', { token: tenants.a.token, body: WEB })).statusCode).toBe(401);
    expect((await call('b', 'GET', '/clients', { token: tenants.a.token })).statusCode).toBe(401);
    const listB = (await call('b', 'GET', '/clients')).json() as Info[];
    expect(listB.map((c) => c.client_id)).not.toContain(client.client_id);
    // and A's client is unharmed
    expect((await call('a', 'GET', path, { token: client.registration_access_token! })).statusCode).toBe(200);
  });

  it('answers malformed and oversized bodies with 400 invalid_request, never 500', async () => {
    const cases: Array<{ raw: string; contentType?: string }> = [
      { raw: '{"redirect_uris": [' },
      { raw: '' },
      { raw: '[]' },
      { raw: '"a string"' },
      { raw: '{"__proto__": {"polluted": true}, "redirect_uris": ["https://app.example.com/cb"]}' },
      { raw: 'redirect_uris=https://app.example.com/cb', contentType: 'application/x-www-form-urlencoded' },
      { raw: '{"redirect_uris": ["https://app.example.com/cb"]}', contentType: 'text/plain' },
      // just over 250,000 characters of valid JSON
      {
        raw: JSON.stringify({
          ...WEB,
          x_padding: 'x'.repeat(250_001 - JSON.stringify({ ...WEB, x_padding: '' }).length),
        }),
      },
      // far over, and over the byte limit as well
      { raw: JSON.stringify({ ...WEB, x_padding: 'é'.repeat(400_000) }) },
    ];
    expect(cases[7]!.raw.length).toBe(250_001);
    const overCharacters = await call('a', 'POST', '/clients', { raw: cases[7]!.raw });
    expect(overCharacters.json().error_description).toMatch(/longer than 250000 characters/);
    const overBytes = await call('a', 'POST', '/clients', { raw: cases[8]!.raw });
    expect(overBytes.json().error_description).toMatch(/larger than allowed/);
    for (const { raw, contentType } of cases) {
      const res = await call('a', 'POST', '/clients', { raw, ...(contentType ? { contentType } : {}) });
      expect(res.statusCode, `${raw.slice(0, 60)} → ${res.body}`).toBe(400);
      expect(res.json().error).toBe('invalid_request');
    }
    const noBody = await call('a', 'POST', '/clients');
    expect(noBody.statusCode).toBe(400);
    // The same limits apply to updates.
    const client = await register(WEB);
    const put = await call('a', 'PUT', `/clients/${client.client_id}`, {
      token: client.registration_access_token!,
      raw: '{"client_id": ',
    });
    expect(put.statusCode).toBe(400);
    expect(put.json().error).toBe('invalid_request');
    // exactly 250,000 characters are accepted
    const atLimit = JSON.stringify({
      ...WEB,
      x_padding: 'x'.repeat(250_000 - JSON.stringify({ ...WEB, x_padding: '' }).length),
    });
    expect(atLimit.length).toBe(250_000);
    expect((await call('a', 'POST', '/clients', { raw: atLimit })).statusCode).toBe(201);
  });
});
