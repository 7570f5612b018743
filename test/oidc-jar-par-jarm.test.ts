import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeFlow, responseParams, sessionApi } from './support/authz-session.ts';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const REDIRECT = 'https://rp.example.com/cb';
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/**
 * The authorisation request by reference and by value (PAR, JAR) and the
 * JWT-secured response modes (JARM), end to end through the authorisation
 * session API.
 */
describe('PAR, JAR and JARM through the authorisation session API', () => {
  let planes: InProcessPlanes;
  const t: Record<'a' | 'b', { tid: string; issuer: string; apiToken: string }> = {} as never;
  let clientId: string;
  let secret: string;
  let jwks: ReturnType<typeof createLocalJWKSet>;

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    for (const name of ['a', 'b'] as const) {
      const tid = uniqueTid(`jar${name}`);
      const issuer = `${planes.dataPlaneUrl}/${tid}`;
      const { apiToken } = await planes.createTenant({ tid, name: tid, issuer });
      t[name] = { tid, issuer, apiToken };
    }
    ({ clientId, secret } = (await addClient(
      planes.s,
      t.a.tid,
      { grant_types: ['authorization_code', 'refresh_token'], redirect_uris: [REDIRECT] },
      { clientId: 'rp' },
    )) as { clientId: string; secret: string });
    await addClient(
      planes.s,
      t.b.tid,
      { grant_types: ['authorization_code'], redirect_uris: [REDIRECT] },
      { clientId: 'rp', secret },
    );
    jwks = createLocalJWKSet((await (await fetch(`${t.a.issuer}/jwks.json`)).json()) as JSONWebKeySet);
  }, 90_000);
  afterAll(async () => planes.close());

  const verifier = randomBytes(32).toString('base64url');
  const base = (extra: Record<string, string> = {}) => ({
    response_type: 'code',
    client_id: 'rp',
    redirect_uri: REDIRECT,
    scope: 'openid',
    state: 'st',
    nonce: 'nn',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  });
  const redeem = async (code: string) => {
    const res = await fetch(`${t.a.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(clientId, secret) },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };
  const push = async (issuer: string, params: Record<string, string>) => {
    const res = await fetch(`${issuer}/par`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('rp', secret) },
      body: new URLSearchParams(params),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { request_uri: string }).request_uri;
  };

  for (const [mode, expected] of [
    ['query.jwt', 'query.jwt'],
    ['fragment.jwt', 'fragment.jwt'],
    ['form_post.jwt', 'form_post.jwt'],
    ['jwt', 'query.jwt'],
  ] as const) {
    it(`answers in response_mode=${mode} with a JWT that verifies against /jwks.json`, async () => {
      const { final } = await completeFlow(
        t.a.issuer,
        t.a.apiToken,
        new URLSearchParams(base({ response_mode: mode })).toString(),
      );
      expect(final.mode).toBe(expected);
      const p = responseParams(final);
      expect(Object.keys(p)).toEqual(['response']);
      const { payload } = await jwtVerify(p.response!, jwks, { issuer: t.a.issuer, audience: clientId });
      expect(payload).toMatchObject({ state: 'st' });
      expect(typeof payload.exp).toBe('number');
      expect((await redeem(payload.code as string)).status).toBe(200);
    });
  }

  it('passes openid-client’s JARM validation (useJwtResponseMode)', async () => {
    const config = await oidc.discovery(new URL(t.a.issuer), clientId, undefined, oidc.ClientSecretBasic(secret), {
      execute: [oidc.allowInsecureRequests],
    });
    oidc.useJwtResponseMode(config);
    const { final } = await completeFlow(
      t.a.issuer,
      t.a.apiToken,
      new URLSearchParams(base({ response_mode: 'jwt' })).toString(),
    );
    const tokens = await oidc.authorizationCodeGrant(config, new URL(final.parameters!.uri), {
      pkceCodeVerifier: verifier,
      expectedState: 'st',
      expectedNonce: 'nn',
    });
    expect(tokens.claims()).toMatchObject({ sub: 'alice', nonce: 'nn' });
    expect(config.serverMetadata().response_modes_supported).toEqual(
      expect.arrayContaining(['query.jwt', 'fragment.jwt', 'form_post.jwt', 'jwt']),
    );
  });

  it('runs a pushed request once; a second use and another tenant are refused', async () => {
    const requestUri = await push(t.a.issuer, base());
    const query = new URLSearchParams({ client_id: 'rp', request_uri: requestUri }).toString();
    const { final } = await completeFlow(t.a.issuer, t.a.apiToken, query);
    expect(responseParams(final)).toMatchObject({ state: 'st', iss: t.a.issuer });
    expect((await redeem(responseParams(final).code!)).status).toBe(200);
    const again = await sessionApi(t.a.issuer, t.a.apiToken, 'POST', '', { query });
    expect(again.body).toMatchObject({ type: 'error', error: 'invalid_request_uri' });
    const foreign = await push(t.a.issuer, base());
    const atB = await sessionApi(t.b.issuer, t.b.apiToken, 'POST', '', {
      query: new URLSearchParams({ client_id: 'rp', request_uri: foreign }).toString(),
    });
    expect(atB.body).toMatchObject({ type: 'error', error: 'invalid_request_uri' });
  });

  it('takes a signed request object (HS256 with the client secret); only its parameters count', async () => {
    const jwt = await new SignJWT(base({ state: 'from-object' }))
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(clientId)
      .setAudience(t.a.issuer)
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(secret));
    const query = new URLSearchParams({
      client_id: 'rp',
      request: jwt,
      state: 'from-query',
      scope: 'openid',
    }).toString();
    const { final } = await completeFlow(t.a.issuer, t.a.apiToken, query);
    expect(responseParams(final).state).toBe('from-object');
  });

  it('refuses an unsigned request object (the tenant does not allow alg none)', async () => {
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ ...base(), iss: 'rp', aud: t.a.issuer })).toString('base64url')}.`;
    const { body } = await sessionApi(t.a.issuer, t.a.apiToken, 'POST', '', {
      query: new URLSearchParams({ client_id: 'rp', request: unsigned }).toString(),
    });
    expect(body).toMatchObject({ type: 'error', error: 'invalid_request_object' });
  });

  it('insists on PAR where the client requires it', async () => {
    await addClient(
      planes.s,
      t.a.tid,
      { grant_types: ['authorization_code'], redirect_uris: [REDIRECT], require_pushed_authorization_requests: true },
      { clientId: 'par-only' },
    );
    const { body } = await sessionApi(t.a.issuer, t.a.apiToken, 'POST', '', {
      query: new URLSearchParams(base({ client_id: 'par-only' })).toString(),
    });
    expect(responseParams(body)).toMatchObject({ error: 'invalid_request', state: 'st' });
    expect(responseParams(body).error_description).toContain('PAR');
  });
});
