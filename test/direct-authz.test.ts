import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { startInProcessPlanes, type InProcessPlanes } from './support/planes.ts';

/** The request examples of the direct authorisation seed (002), verbatim. */
const SEED = {
  tokensForSession: {
    sub_session: { sub: 'alice' },
    client_id: '8cc2043',
    scope: ['openid', 'email', 'profile', 'app:admin'],
    claims: ['name', 'email', 'email_verified'],
  },
  accessAndRefreshOnly: {
    sub: 'alice',
    client_id: '8cc2043',
    scope: ['openid', 'profile', 'email', 'app:admin'],
    audience: ['http://app1.example.com', 'http://app2.example.com'],
    claims: ['name', 'email', 'email_verified'],
    claims_locales: ['bg-BG', 'en-US'],
    preset_claims: { userinfo: { groups: ['admin', 'audit'] } },
    long_lived: true,
    refresh_token: { issue: true },
    access_token: { lifetime: 600 },
  },
  withSubSid: (sid: string) => ({
    sub_sid: sid,
    client_id: '8cc2043',
    scope: ['openid', 'profile', 'email', 'app:admin'],
    audience: ['http://app1.example.com', 'http://app2.example.com'],
    claims: ['name', 'email', 'email_verified'],
    claims_locales: ['bg-BG', 'en-US'],
    claims_transport: 'USERINFO',
    preset_claims: {
      id_token: { login_ip: '185.7.248.1', login_geo: { long: '37.3956', lat: '-122.076' } },
      userinfo: { groups: ['admin', 'audit'] },
    },
    long_lived: true,
    refresh_token: { issue: true },
    access_token: { lifetime: 600 },
  }),
  newSession: {
    sub_session: { sub: 'alice' },
    client_id: '8cc2043',
    scope: ['openid', 'profile', 'email', 'app:admin'],
    audience: ['http://app1.example.com', 'http://app2.example.com'],
    claims: ['name', 'email', 'email_verified'],
    claims_locales: ['bg-BG', 'en-US'],
    claims_transport: 'USERINFO',
    preset_claims: {
      id_token: { login_ip: '185.7.248.1', login_geo: { long: '37.3956', lat: '-122.076' } },
      userinfo: { groups: ['admin', 'audit'] },
    },
    long_lived: true,
    refresh_token: { issue: true },
    access_token: { lifetime: 600 },
  },
  impersonation: {
    sub_session: { sub: 'admin' },
    client_id: '8cc2043',
    scope: ['openid', 'email'],
    claims: ['email', 'email_verified'],
    long_lived: true,
    impersonated_sub: 'alice',
    refresh_token: { issue: true },
  },
};

describe('direct authorisation API (/direct-authz/rest/v2), seed examples', () => {
  let planes: InProcessPlanes;
  let tid: string;
  let apiToken: string;
  let issuer: string;

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    planes.dp.app.inject({
      method: 'POST',
      url: '/direct-authz/rest/v2',
      headers: { 'tenant-id': tid, authorization: `Bearer ${apiToken}`, 'content-type': 'application/json', ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const jwks = async () => createLocalJWKSet((await planes.dp.app.inject({ method: 'GET', url: '/jwks.json', headers: { 'tenant-id': tid } })).json() as JSONWebKeySet);

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    tid = uniqueTid('da');
    issuer = `https://${tid}.example.com`;
    ({ apiToken } = await planes.createTenant({ tid, name: tid, issuer }));
    await addClient(planes.s, tid, { grant_types: ['authorization_code', 'refresh_token'], redirect_uris: ['https://app.example.com/cb'] }, { clientId: '8cc2043' });
  }, 60_000);
  afterAll(async () => planes.close());

  it('creates a session and answers with the seed’s response shape (access, refresh, ID token, scope, sub_sid)', async () => {
    const res = await post(SEED.tokensForSession);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'scope', 'sub_sid', 'token_type']);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'openid email profile app:admin' });
    expect(body.refresh_token).toBeUndefined(); // long_lived defaults to false: a transient authorisation
    const { payload } = await jwtVerify(body.access_token, await jwks(), { issuer });
    expect(payload).toMatchObject({ sub: 'alice', cid: '8cc2043', scp: ['openid', 'email', 'profile', 'app:admin'], clm: ['name', 'email', 'email_verified'] });
    const idToken = await jwtVerify(body.id_token, await jwks(), { issuer, audience: '8cc2043' });
    expect(idToken.payload).toMatchObject({ sub: 'alice', sid: createHash('sha256').update(body.sub_sid).digest('hex') });
  });

  it('issues access and refresh tokens only for a plain sub, with every member applied', async () => {
    const res = await post(SEED.accessAndRefreshOnly);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    const { payload } = await jwtVerify(body.access_token, await jwks(), { issuer });
    expect(payload).toMatchObject({
      sub: 'alice',
      aud: ['http://app1.example.com', 'http://app2.example.com'],
      clm: ['name', 'email', 'email_verified'],
      cll: ['bg-BG', 'en-US'],
      uip: { groups: ['admin', 'audit'] },
    });
    expect(payload.exp! - payload.iat!).toBe(600);
    const stored = await planes.s.db.selectFrom('authorizations').select(['sub', 'client_id']).where('tid', '=', tid).execute();
    expect(stored).toContainEqual({ sub: 'alice', client_id: '8cc2043' });
  });

  it('reuses an existing session by sub_sid and puts the preset claims in the ID token', async () => {
    const created = (await post(SEED.newSession)).json();
    expect(created.sub_sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const res = await post(SEED.withSubSid(created.sub_sid));
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.sub_sid).toBeUndefined(); // no new session was created
    const idToken = decodeJwt(body.id_token);
    expect(idToken).toMatchObject({ sub: 'alice', sid: createHash('sha256').update(created.sub_sid).digest('hex'), login_ip: '185.7.248.1', login_geo: { long: '37.3956', lat: '-122.076' } });
  });

  it('impersonates: tokens for alice, with admin as act.sub', async () => {
    const res = await post(SEED.impersonation);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(decodeJwt(body.access_token)).toMatchObject({ sub: 'alice', act: { sub: 'admin' } });
    expect(decodeJwt(body.id_token)).toMatchObject({ sub: 'alice', act: { sub: 'admin' } });
    expect(typeof body.refresh_token).toBe('string');
  });

  it('answers 460, 461, 462, 400 and 401 as the seed says', async () => {
    const unknown = await post({ ...SEED.accessAndRefreshOnly, client_id: 'no-such-client' });
    expect(unknown.statusCode).toBe(460);
    expect(unknown.json()).toEqual({ error: 'invalid_client_id', error_description: 'Invalid client ID' });

    const badSid = await post(SEED.withSubSid('WYqFXK7Q4HFnJv0hiT3Fgw.-oVkvSXgalUuMQDfEsh1lw'));
    expect(badSid.statusCode).toBe(461);
    expect(badSid.json().error).toBe('invalid_subject_session_id');

    await addClient(planes.s, tid, { grant_types: ['client_credentials'] }, { clientId: 'secretless', secret: null });
    const noSecret = await post({ ...SEED.accessAndRefreshOnly, client_id: 'secretless' });
    expect(noSecret.statusCode).toBe(462);
    expect(noSecret.json().error).toBe('expired_client_secret');

    const both = await post({ ...SEED.accessAndRefreshOnly, sub_sid: 'x' });
    expect(both.statusCode).toBe(400);
    expect(both.json().error).toBe('invalid_request');
    const malformed = await post('{"sub": ');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error_description).toMatch(/^Bad request/);
    const noScope = await post({ sub: 'alice', client_id: '8cc2043' });
    expect(noScope.statusCode).toBe(400);

    const noToken = await planes.dp.app.inject({ method: 'POST', url: '/direct-authz/rest/v2', headers: { 'tenant-id': tid, 'content-type': 'application/json' }, payload: '{}' });
    expect(noToken.statusCode).toBe(401);
    expect(noToken.headers['www-authenticate']).toBe('Bearer');
    expect(noToken.json().error).toBe('missing_token');
  });

  it('issues identifier access tokens on request', async () => {
    const res = await post({ ...SEED.accessAndRefreshOnly, access_token: { encoding: 'IDENTIFIER', lifetime: 120 } });
    const body = res.json();
    expect(body.access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.expires_in).toBe(120);
  });
});
