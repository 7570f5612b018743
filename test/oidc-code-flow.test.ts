import { createHash } from 'node:crypto';
import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeFlow, responseParams, sessionApi } from './support/authz-session.ts';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const REDIRECT = 'http://localhost:3000/callback';

/**
 * openid-client v6 (certified, not ours) against a listening data plane:
 * authorization code + PKCE S256 + nonce, the login done through the
 * authorisation session API, the ID token validated by the library
 * (signature against /jwks.json, RFC 9207 iss, nonce, at_hash), UserInfo,
 * refresh.
 */
describe('authorization code flow through openid-client v6', () => {
  let planes: InProcessPlanes;
  let issuer: string;
  let tid: string;
  let apiToken: string;
  let clientId: string;
  let secret: string;
  let config: oidc.Configuration;

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    tid = uniqueTid('oidc');
    issuer = `${planes.dataPlaneUrl}/${tid}`;
    ({ apiToken } = await planes.createTenant({ tid, name: tid, issuer }));
    await new PostgresUserDirectory(planes.s.db).create(tid, {
      username: 'alice',
      sub: 'alice',
      password: 'wonderland-42',
      claims: {
        name: 'Alice Adams',
        'name#de': 'Alice Adams (de)',
        email: 'alice@example.com',
        email_verified: true,
        phone_number: '+1 555',
      },
    });
    const added = await addClient(planes.s, tid, {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [REDIRECT],
      client_name: 'Wonderland',
    });
    clientId = added.clientId;
    secret = added.secret!;
    config = await oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(secret), {
      execute: [oidc.allowInsecureRequests],
    });
  }, 60_000);
  afterAll(async () => planes.close());

  it('advertises the front channel in discovery', () => {
    const m = config.serverMetadata();
    expect(m.authorization_endpoint).toBe(`${issuer}/login`);
    expect(m.userinfo_endpoint).toBe(`${issuer}/userinfo`);
    expect(m.response_types_supported).toEqual(['code']);
    expect(m.id_token_signing_alg_values_supported).toContain('RS256');
    expect(m.code_challenge_methods_supported).toEqual(['S256']);
    expect(m.authorization_response_iss_parameter_supported).toBe(true);
    expect(m.subject_types_supported).toEqual(['public', 'pairwise']);
    expect(m.grant_types_supported).toContain('authorization_code');
  });

  it('logs alice in, validates the ID token, fetches UserInfo and refreshes', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state,
      claims_locales: 'de',
    });
    expect(url.origin + url.pathname).toBe(`${issuer}/login`);
    const { messages, final } = await completeFlow(issuer, apiToken, url.search.slice(1), {
      consent: { long_lived: true },
    });
    expect(messages.map((m) => m.type)).toEqual(['auth', 'consent', 'response']);
    const consent = messages[1]!;
    expect(consent.scope).toEqual({ new: ['openid', 'profile', 'email'], consented: [] });
    expect(final.mode).toBe('query');
    expect(final.sub_sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const callback = new URL(final.parameters!.uri);
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('iss')).toBe(issuer);

    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: state,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      iss: issuer,
      sub: 'alice',
      aud: clientId,
      nonce,
      acr: 'urn:test:basic',
      amr: ['pwd'],
    });
    expect(typeof claims.auth_time).toBe('number');
    expect(typeof claims.at_hash).toBe('string');
    expect(claims.sid).toMatch(/^[0-9a-f]{64}$/);
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');
    // a tenant made with the defaults signs access tokens with ES256 (ID tokens stay RS256)
    expect(decodeProtectedHeader(tokens.access_token).alg).toBe('ES256');

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, 'alice');
    expect(userinfo).toMatchObject({
      sub: 'alice',
      name: 'Alice Adams (de)',
      email: 'alice@example.com',
      email_verified: true,
    });
    expect(userinfo.phone_number).toBeUndefined(); // the phone scope was not asked for

    expect(tokens.refresh_token).toBeDefined();
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    const jwks = createLocalJWKSet((await (await fetch(`${issuer}/jwks.json`)).json()) as JSONWebKeySet);
    const { payload } = await jwtVerify(refreshed.access_token, jwks, { issuer });
    expect(payload).toMatchObject({ sub: 'alice', cid: clientId });
    // OpenID Connect Core §12.2: a new ID token for the same authentication, without the nonce.
    expect(refreshed.id_token).toBeDefined();
    const { payload: renewed } = await jwtVerify(refreshed.id_token!, jwks, { issuer, audience: clientId });
    expect(renewed).toMatchObject({
      sub: 'alice',
      auth_time: claims.auth_time,
      acr: 'urn:test:basic',
      amr: ['pwd'],
      sid: claims.sid,
    });
    expect(renewed.nonce).toBeUndefined();
    expect(renewed.iat).toBeGreaterThanOrEqual(claims.iat!);
    expect(renewed.at_hash).toBe(
      createHash('sha256').update(refreshed.access_token).digest().subarray(0, 16).toString('base64url'),
    );
    // A refresh narrowed to scopes without openid gets none.
    const narrowed = await oidc.refreshTokenGrant(config, refreshed.refresh_token ?? tokens.refresh_token!, {
      scope: 'email',
    });
    expect(narrowed.id_token).toBeUndefined();

    // A second authorisation: the SSO session and the remembered consent skip both prompts.
    const again = await completeFlow(issuer, apiToken, url.search.slice(1), { subSid: final.sub_sid! });
    expect(again.messages.map((m) => m.type)).toEqual(['response']);
    expect(responseParams(again.final).code).toBeDefined();
    expect(again.final.sub_sid).toBeUndefined();
    // prompt=login shows the login step again
    const login = await completeFlow(issuer, apiToken, `${url.search.slice(1)}&prompt=login`, {
      subSid: final.sub_sid!,
    });
    expect(login.messages.map((m) => m.type)).toEqual(['auth', 'response']);
    // …and replaces the browser's SSO session with the new one.
    expect(login.final.sub_sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(login.final.sub_sid).not.toBe(final.sub_sid);
    expect(
      (await completeFlow(issuer, apiToken, `${url.search.slice(1)}&prompt=none`, { subSid: final.sub_sid! })).final
        .parameters!.uri,
    ).toContain('error=login_required');
    const current = login.final.sub_sid!;

    // The subject session is listed by the session store, under the ID token's sid.
    const list = await fetch(`${issuer}/session-store/rest/v2/sessions?subject=alice`, {
      headers: { authorization: `Bearer ${apiToken}` },
    });
    const sessions = (await list.json()) as Record<string, { sub: string; rps: string[] }>;
    expect(Object.keys(sessions)).toEqual([createHash('sha256').update(current).digest('hex')]);
    expect(sessions[claims.sid as string]).toBeUndefined(); // the first session was replaced
    // Refreshed after its session ended: an ID token that no longer claims that session or its authentication.
    const ended = await fetch(`${issuer}/session-store/rest/v2/sessions`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${apiToken}`, sid: current },
    });
    expect(ended.status).toBeLessThan(300);
    const late = await oidc.refreshTokenGrant(
      config,
      narrowed.refresh_token ?? refreshed.refresh_token ?? tokens.refresh_token!,
    );
    const { payload: lateClaims } = await jwtVerify(late.id_token!, jwks, { issuer, audience: clientId });
    expect(lateClaims.sub).toBe('alice');
    expect([lateClaims.sid, lateClaims.auth_time, lateClaims.acr]).toEqual([undefined, undefined, undefined]);
    expect(Object.values(sessions)[0]).toMatchObject({ sub: 'alice', rps: [clientId] });
  });

  it('answers login_required to the client for prompt=none without a session', async () => {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 'xyz',
      prompt: 'none',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    const { status, body } = await sessionApi(issuer, apiToken, 'POST', '', { query: query.toString() });
    expect(status).toBe(200);
    expect(body.type).toBe('response');
    const uri = new URL(body.parameters!.uri);
    expect(uri.origin + uri.pathname).toBe(REDIRECT);
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({ error: 'login_required', state: 'xyz', iss: issuer });
  });

  it('gives a pairwise client the sector subject in the ID token and at UserInfo, and takes it back as id_token_hint', async () => {
    const pairwise = (await addClient(planes.s, tid, {
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT],
      subject_type: 'pairwise',
      sector_identifier_uri: 'urn:c2id:sector_id:wonderland',
    })) as { clientId: string; secret: string };
    const params = {
      response_type: 'code',
      client_id: pairwise.clientId,
      redirect_uri: REDIRECT,
      scope: 'openid email',
    };
    const { final } = await completeFlow(issuer, apiToken, new URLSearchParams(params).toString(), {
      consent: { long_lived: true },
    });
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${pairwise.clientId}:${pairwise.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: responseParams(final).code!,
        redirect_uri: REDIRECT,
      }),
    });
    const tokens = (await res.json()) as { id_token: string; access_token: string };
    const sub = decodeJwt(tokens.id_token).sub!;
    expect(sub).not.toBe('alice');
    expect(sub).toMatch(/^[A-Za-z0-9_-]{100,}$/);
    const userinfo = (await (
      await fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
    ).json()) as Record<string, unknown>;
    expect(userinfo).toMatchObject({ sub, email: 'alice@example.com' });
    const hinted = await completeFlow(
      issuer,
      apiToken,
      new URLSearchParams({ ...params, prompt: 'none', id_token_hint: tokens.id_token }).toString(),
      { subSid: final.sub_sid! },
    );
    expect(responseParams(hinted.final).code).toBeDefined();
  });

  it('uses the ID token in a second flow with id_token_hint', async () => {
    const first = await completeFlow(
      issuer,
      apiToken,
      new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT,
        scope: 'openid',
      }).toString(),
      { consent: { long_lived: true } },
    );
    const code = responseParams(first.final).code!;
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }),
    });
    const idToken = ((await res.json()) as { id_token: string }).id_token;
    expect(decodeJwt(idToken).sub).toBe('alice');
    const hinted = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope: 'openid',
      prompt: 'none',
      id_token_hint: idToken,
    });
    const none = await completeFlow(issuer, apiToken, hinted.toString(), { subSid: first.final.sub_sid! });
    expect(none.messages.map((m) => m.type)).toEqual(['response']);
    expect(responseParams(none.final).code).toBeDefined();
  });
});
