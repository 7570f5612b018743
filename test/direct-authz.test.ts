import { createHash } from 'node:crypto';
import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import {
  compactDecrypt,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  type JSONWebKeySet,
  jwtVerify,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeFlow, responseParams } from './support/authz-session.ts';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

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
      headers: {
        'tenant-id': tid,
        authorization: `Bearer ${apiToken}`,
        'content-type': 'application/json',
        ...headers,
      },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const jwks = async () =>
    createLocalJWKSet(
      (
        await planes.dp.app.inject({ method: 'GET', url: '/jwks.json', headers: { 'tenant-id': tid } })
      ).json() as JSONWebKeySet,
    );

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    tid = uniqueTid('da');
    issuer = `https://${tid}.example.com`;
    ({ apiToken } = await planes.createTenant({ tid, name: tid, issuer }));
    await addClient(
      planes.s,
      tid,
      { grant_types: ['authorization_code', 'refresh_token'], redirect_uris: ['https://app.example.com/cb'] },
      { clientId: '8cc2043' },
    );
  }, 60_000);
  afterAll(async () => planes.close());

  it('creates a session and answers with the seed’s response shape (access, refresh, ID token, scope, sub_sid)', async () => {
    const res = await post(SEED.tokensForSession);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual([
      'access_token',
      'expires_in',
      'id_token',
      'scope',
      'sub_sid',
      'token_type',
    ]);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'openid email profile app:admin' });
    expect(body.refresh_token).toBeUndefined(); // long_lived defaults to false: a transient authorisation
    const { payload } = await jwtVerify(body.access_token, await jwks(), { issuer });
    expect(payload).toMatchObject({
      sub: 'alice',
      cid: '8cc2043',
      scp: ['openid', 'email', 'profile', 'app:admin'],
      clm: ['name', 'email', 'email_verified'],
    });
    const idToken = await jwtVerify(body.id_token, await jwks(), { issuer, audience: '8cc2043' });
    expect(idToken.payload).toMatchObject({
      sub: 'alice',
      sid: createHash('sha256').update(body.sub_sid).digest('hex'),
    });
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
    const stored = await planes.s.db
      .selectFrom('authorizations')
      .select(['sub', 'client_id'])
      .where('tid', '=', tid)
      .execute();
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
    expect(idToken).toMatchObject({
      sub: 'alice',
      sid: createHash('sha256').update(created.sub_sid).digest('hex'),
      login_ip: '185.7.248.1',
      login_geo: { long: '37.3956', lat: '-122.076' },
    });
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

    const noToken = await planes.dp.app.inject({
      method: 'POST',
      url: '/direct-authz/rest/v2',
      headers: { 'tenant-id': tid, 'content-type': 'application/json' },
      payload: '{}',
    });
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

/**
 * Direct authorisation issues its ID tokens through the same function as
 * the front channel (data-plane/src/tokens/id-token-issuer.ts), so the
 * client's registration applies: pairwise subjects, the signing algorithm,
 * encryption, explicit typing, and claims_transport ID_TOKEN.
 */
describe('direct authorisation ID tokens follow the client registration, as the front channel does', () => {
  const REDIRECT = 'https://app.example.com/cb';
  let planes: InProcessPlanes;
  let tid: string;
  let apiToken: string;
  let issuer: string;

  const direct = async (body: Record<string, unknown>) => {
    const res = await fetch(`${issuer}/direct-authz/rest/v2`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as { id_token: string; access_token: string };
    expect(res.status, JSON.stringify(answer)).toBe(200);
    return answer;
  };
  const jwks = async () => createLocalJWKSet((await (await fetch(`${issuer}/jwks.json`)).json()) as JSONWebKeySet);
  const codeFlowIdToken = async (
    client: { clientId: string; secret: string | null },
    consent: Record<string, unknown> = {},
  ) => {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: REDIRECT,
      scope: 'openid email',
    });
    const { final } = await completeFlow(issuer, apiToken, query.toString(), { consent });
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: responseParams(final).code!,
        redirect_uri: REDIRECT,
      }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { id_token: string }).id_token;
  };
  const webClient = (metadata: Record<string, unknown>) =>
    addClient(planes.s, tid, {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [REDIRECT],
      ...metadata,
    });

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    tid = uniqueTid('daid');
    issuer = `${planes.dataPlaneUrl}/${tid}`;
    ({ apiToken } = await planes.createTenant({ tid, name: tid, issuer }));
    const users = new PostgresUserDirectory(planes.s.db);
    await users.create(tid, {
      username: 'alice',
      sub: 'alice',
      password: 'wonderland-42',
      claims: { email: 'alice@example.com', email_verified: true },
    });
  }, 60_000);
  afterAll(async () => planes.close());

  it('gives a pairwise client the pairwise sub of the code flow, never the local one (act.sub too)', async () => {
    const client = await webClient({ subject_type: 'pairwise', sector_identifier_uri: 'urn:c2id:sector_id:direct' });
    const fromCodeFlow = decodeJwt(await codeFlowIdToken(client)).sub!;
    expect(fromCodeFlow).not.toBe('alice');

    const { id_token } = await direct({ sub_session: { sub: 'alice' }, client_id: client.clientId, scope: ['openid'] });
    expect(decodeJwt(id_token).sub).toBe(fromCodeFlow);

    // alice impersonates carol: the client sees its sector's subject for the actor as well.
    const impersonated = await direct({
      sub_session: { sub: 'alice' },
      client_id: client.clientId,
      scope: ['openid'],
      impersonated_sub: 'carol',
    });
    const claims = decodeJwt(impersonated.id_token);
    expect(claims.act).toEqual({ sub: fromCodeFlow });
    expect(claims.sub).not.toBe('carol');
    expect(claims.sub).toMatch(/^[A-Za-z0-9_-]{100,}$/);
  });

  it('signs with the registered id_token_signed_response_alg and the explicit type, with at_hash, acr and amr', async () => {
    const client = await webClient({ id_token_signed_response_alg: 'ES256', id_token_explicit_typ: true });
    const { id_token, access_token } = await direct({
      sub_session: { sub: 'alice', acr: 'urn:test:strong', amr: ['hwk'] },
      client_id: client.clientId,
      scope: ['openid'],
    });
    expect(decodeProtectedHeader(id_token)).toMatchObject({ alg: 'ES256', typ: 'id_token+jwt' });
    const { payload } = await jwtVerify(id_token, await jwks(), {
      issuer,
      audience: client.clientId,
      algorithms: ['ES256'],
      typ: 'id_token+jwt',
    });
    const atHash = createHash('sha256').update(access_token).digest().subarray(0, 16).toString('base64url');
    expect(payload).toMatchObject({ sub: 'alice', acr: 'urn:test:strong', amr: ['hwk'], at_hash: atHash });
  });

  it('encrypts to a client that registered id_token_encrypted_response_alg/enc (nested JWT)', async () => {
    const client = await webClient({
      id_token_encrypted_response_alg: 'A256KW',
      id_token_encrypted_response_enc: 'A256GCM',
    });
    const { id_token } = await direct({ sub_session: { sub: 'alice' }, client_id: client.clientId, scope: ['openid'] });
    expect(id_token.split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(id_token)).toMatchObject({ alg: 'A256KW', enc: 'A256GCM', cty: 'JWT' });
    // OpenID Connect Core §10.2: the key is the left 256 bits of SHA-256 of the client secret.
    const key = createHash('sha256').update(client.secret!, 'utf8').digest();
    const inner = new TextDecoder().decode((await compactDecrypt(id_token, key)).plaintext);
    const { payload } = await jwtVerify(inner, await jwks(), { issuer, audience: client.clientId });
    expect(payload.sub).toBe('alice');
  });

  it('answers a client stored with id_token_signed_response_alg none (registration now refuses it) with a 400, never an unsigned token or a 500', async () => {
    const client = await webClient({ id_token_signed_response_alg: 'none' });
    const res = await fetch(`${issuer}/direct-authz/rest/v2`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sub_session: { sub: 'alice' }, client_id: client.clientId, scope: ['openid'] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_client_metadata');
  });

  it('puts the consented claims into the ID token under claims_transport ID_TOKEN, as the consent step does', async () => {
    const client = await webClient({});
    const viaIdToken = await direct({
      sub_session: { sub: 'alice' },
      client_id: client.clientId,
      scope: ['openid', 'email'],
      claims: ['email', 'email_verified'],
      claims_transport: 'ID_TOKEN',
    });
    expect(decodeJwt(viaIdToken.id_token)).toMatchObject({ email: 'alice@example.com', email_verified: true });
    const fromCodeFlow = decodeJwt(
      await codeFlowIdToken(client, { claims: ['email', 'email_verified'], claims_transport: 'ID_TOKEN' }),
    );
    expect(fromCodeFlow).toMatchObject({ email: 'alice@example.com', email_verified: true });

    // USERINFO (the default): not in the ID token, at UserInfo with the access token.
    const viaUserInfo = await direct({
      sub_session: { sub: 'alice' },
      client_id: client.clientId,
      scope: ['openid', 'email'],
      claims: ['email'],
    });
    expect(decodeJwt(viaUserInfo.id_token).email).toBeUndefined();
    const userinfo = await fetch(`${issuer}/userinfo`, {
      headers: { authorization: `Bearer ${viaUserInfo.access_token}` },
    });
    expect(await userinfo.json()).toMatchObject({ sub: 'alice', email: 'alice@example.com' });
  });
});
