import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeFlow, responseParams, sessionApi } from './support/authz-session.ts';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { SkippingClock } from './support/skipping-clock.ts';

const REDIRECT = 'https://rp.example.com/cb';
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/**
 * What must fail, and how: errors that cannot be trusted to a redirect URI
 * are not redirected; PKCE, code binding and replay; prompt handling;
 * denial; and nothing of one tenant (code, authorisation session, subject
 * session) works at another.
 */
describe('front channel: negatives and tenant isolation', () => {
  let planes: InProcessPlanes;
  const tenants: Record<
    'a' | 'b',
    { tid: string; issuer: string; apiToken: string; clientId: string; secret: string }
  > = {} as never;
  // Skips to a later second (revocation times and auth_time have one-second resolution) instead of sleeping.
  const clock = new SkippingClock();

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true, clock });
    for (const name of ['a', 'b'] as const) {
      const tid = uniqueTid(`neg${name}`);
      const issuer = `${planes.dataPlaneUrl}/${tid}`;
      const { apiToken } = await planes.createTenant({ tid, name: tid, issuer });
      // The same client id in both tenants: only the tenant tells them apart.
      const { secret } = await addClient(
        planes.s,
        tid,
        { grant_types: ['authorization_code', 'refresh_token'], redirect_uris: [REDIRECT, `${REDIRECT}2`] },
        { clientId: 'shared-client' },
      );
      tenants[name] = { tid, issuer, apiToken, clientId: 'shared-client', secret: secret! };
    }
  }, 90_000);
  afterAll(async () => planes.close());

  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const q = (extra: Record<string, string> = {}) =>
    new URLSearchParams({
      response_type: 'code',
      client_id: 'shared-client',
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 's1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    }).toString();
  const start = (t: 'a' | 'b', query: string, subSid?: string) =>
    sessionApi(tenants[t].issuer, tenants[t].apiToken, 'POST', '', { query, ...(subSid ? { sub_sid: subSid } : {}) });
  const token = async (t: 'a' | 'b', params: Record<string, string>) => {
    const res = await fetch(`${tenants[t].issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(tenants[t].clientId, tenants[t].secret),
      },
      body: new URLSearchParams(params),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };
  const codeFor = async (t: 'a' | 'b', consent: Record<string, unknown> = {}) => {
    const { final } = await completeFlow(tenants[t].issuer, tenants[t].apiToken, q(), { consent });
    return { code: responseParams(final).code!, subSid: final.sub_sid! };
  };

  it('does not redirect for an unregistered redirect URI, an unknown client or a repeated client_id', async () => {
    for (const query of [
      q({ redirect_uri: 'https://evil.example.com/cb' }),
      q({ redirect_uri: `${REDIRECT}/` }),
      q({ client_id: 'nobody' }),
      `${q()}&client_id=shared-client`,
      q({ redirect_uri: '' }), // two registered: the redirect URI must be named
    ]) {
      const { status, body } = await start('a', query);
      expect(status).toBe(200);
      expect(body.type).toBe('error');
      expect(body.parameters).toBeUndefined();
      expect(typeof body.error).toBe('string');
    }
  });

  it('redirects other request errors to the client with state and iss', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ code_challenge_method: 'plain', code_challenge: verifier }, 'invalid_request'],
      [{ prompt: 'none login' }, 'invalid_request'],
      [{ max_age: '-1' }, 'invalid_request'],
      [{ claims: '{not json' }, 'invalid_request'],
      [{ response_mode: 'query.jwt.bogus' }, 'invalid_request'],
      [{ id_token_hint: 'not.a.jwt' }, 'invalid_request'],
    ];
    for (const [extra, error] of cases) {
      const { body } = await start('a', q(extra));
      expect(body.type, JSON.stringify(extra)).toBe('response');
      expect(responseParams(body), JSON.stringify(extra)).toMatchObject({ error, state: 's1', iss: tenants.a.issuer });
    }
  });

  it('requires PKCE from public clients', async () => {
    await addClient(
      planes.s,
      tenants.a.tid,
      { token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], redirect_uris: [REDIRECT] },
      { clientId: 'public-app', secret: null },
    );
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: 'public-app',
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 's1',
    }).toString();
    const { body } = await start('a', query);
    expect(responseParams(body)).toMatchObject({ error: 'invalid_request', state: 's1' });
    expect(responseParams(body).error_description).toContain('PKCE');
  });

  it('refuses a wrong PKCE verifier, a wrong redirect URI and another client', async () => {
    const wrongVerifier = await codeFor('a');
    expect(
      await token('a', {
        grant_type: 'authorization_code',
        code: wrongVerifier.code,
        redirect_uri: REDIRECT,
        code_verifier: randomBytes(32).toString('base64url'),
      }),
    ).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const wrongRedirect = await codeFor('a');
    expect(
      await token('a', {
        grant_type: 'authorization_code',
        code: wrongRedirect.code,
        redirect_uri: `${REDIRECT}2`,
        code_verifier: verifier,
      }),
    ).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const missingVerifier = await codeFor('a');
    expect(
      await token('a', { grant_type: 'authorization_code', code: missingVerifier.code, redirect_uri: REDIRECT }),
    ).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('refuses a replayed code and revokes what the first redemption issued', async () => {
    const { code } = await codeFor('a', { long_lived: true });
    const first = await token('a', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    expect(first.status).toBe(200);
    const introspect = async (t: string) =>
      (
        await fetch(`${tenants.a.issuer}/token/introspect`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: basic(tenants.a.clientId, tenants.a.secret),
          },
          body: new URLSearchParams({ token: t }),
        })
      ).json() as Promise<{ active: boolean }>;
    expect((await introspect(first.body.access_token!)).active).toBe(true);
    // The revocation journal has one-second resolution: replay in a later second than the issue.
    clock.skip(1100);
    const replay = await token('a', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await introspect(first.body.access_token!)).active).toBe(false);
    expect(await token('a', { grant_type: 'refresh_token', refresh_token: first.body.refresh_token! })).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
  });

  it('handles prompt=none: login_required without a session, consent_required without a remembered consent', async () => {
    const noSession = await start('a', q({ prompt: 'none' }));
    expect(responseParams(noSession.body)).toMatchObject({
      error: 'login_required',
      state: 's1',
      iss: tenants.a.issuer,
    });
    await addClient(
      planes.s,
      tenants.a.tid,
      { grant_types: ['authorization_code'], redirect_uris: [REDIRECT] },
      { clientId: 'other-app' },
    );
    const { subSid } = await codeFor('a');
    const other = await start('a', q({ prompt: 'none', client_id: 'other-app' }), subSid);
    expect(responseParams(other.body)).toMatchObject({ error: 'consent_required' });
  });

  it('asks to log in again when max_age has passed, and after the session is ended through the session store', async () => {
    const { subSid } = await codeFor('a', { long_lived: true });
    expect((await start('a', q(), subSid)).body.type).toBe('response');
    clock.skip(1100); // the session is now older than max_age=0 allows
    expect((await start('a', q({ max_age: '0' }), subSid)).body.type).toBe('auth');
    const ended = await fetch(`${tenants.a.issuer}/session-store/rest/v2/sessions`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${tenants.a.apiToken}`, sid: subSid },
    });
    expect(ended.status).toBe(200);
    expect((await start('a', q(), subSid)).body.type).toBe('auth');
  });

  it('logs in again when the session does not have a requested acr', async () => {
    const { subSid } = await codeFor('a', { long_lived: true });
    expect((await start('a', q({ acr_values: 'urn:test:basic' }), subSid)).body.type).toBe('response');
    expect((await start('a', q({ acr_values: 'urn:test:strong' }), subSid)).body.type).toBe('auth');
  });

  it('keeps a flow and its code to the issuer URL it started under (an alias of the same tenant is another issuer)', async () => {
    const alias = `${tenants.a.issuer}-alt`;
    const added = await planes.cp.inject({
      method: 'POST',
      url: `/tenants/rest/v1/${tenants.a.tid}/aliases`,
      headers: { authorization: `Bearer ${planes.s.operatorKey}` },
      payload: { issuer: alias, mode: 'MIGRATION' },
    });
    expect(added.statusCode).toBe(201);
    await expect
      .poll(async () => (await fetch(`${alias}/.well-known/openid-configuration`)).status, {
        timeout: 3000,
        interval: 50,
      })
      .toBe(200);
    const pending = await start('a', q());
    expect((await sessionApi(alias, tenants.a.apiToken, 'PUT', `/${pending.body.sid}`, { sub: 'alice' })).status).toBe(
      404,
    );
    expect(
      (await sessionApi(tenants.a.issuer, tenants.a.apiToken, 'PUT', `/${pending.body.sid}`, { sub: 'alice' })).status,
    ).toBe(200);
    const { code } = await codeFor('a');
    const res = await fetch(`${alias}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(tenants.a.clientId, tenants.a.secret),
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_grant');
    // A flow started under the alias answers with the alias as iss.
    const viaAlias = await sessionApi(alias, tenants.a.apiToken, 'POST', '', { query: q({ prompt: 'none' }) });
    expect(responseParams(viaAlias.body)).toMatchObject({ error: 'login_required', iss: alias });
  });

  it('answers 400 for a malformed PUT and keeps the flow usable', async () => {
    const auth = await start('a', q());
    const put = (body: unknown) => sessionApi(tenants.a.issuer, tenants.a.apiToken, 'PUT', `/${auth.body.sid}`, body);
    expect((await put({ acr: 'x' })).status).toBe(400); // no sub at the auth step
    expect((await put({ sub: 'carol', surprise: true })).status).toBe(400); // unknown member
    const consent = await put({ sub: 'carol' });
    expect(consent.body.type).toBe('consent');
    expect((await put({ claims: { email: true } })).status).toBe(400);
    expect((await put({ scope: ['openid', 'admin'] })).status).toBe(400); // never requested
    const done = await put({ scope: ['openid'] });
    expect(responseParams(done.body).code).toBeDefined();
  });

  it('keeps the subject session id sealed in the stored authorisation session', async () => {
    const auth = await start('a', q());
    const consent = await sessionApi(tenants.a.issuer, tenants.a.apiToken, 'PUT', `/${auth.body.sid}`, { sub: 'dave' });
    expect(consent.body.type).toBe('consent');
    const stored = await planes.s.redis.get(
      `azs:${tenants.a.tid}:${createHash('sha256').update(auth.body.sid!).digest('hex')}`,
    );
    expect(stored).toContain('sealedSubSid');
    const done = await sessionApi(tenants.a.issuer, tenants.a.apiToken, 'PUT', `/${auth.body.sid}`, {
      scope: ['openid'],
    });
    expect(done.body.sub_sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(stored).not.toContain(done.body.sub_sid!);
  });

  it('session store API: reads by SID header or listed id, ends all of a subject’s sessions, knows nothing of another tenant’s', async () => {
    const store = (t: 'a' | 'b', method: string, query = '', headers: Record<string, string> = {}) =>
      fetch(`${tenants[t].issuer}/session-store/rest/v2/sessions${query}`, {
        method,
        headers: { authorization: `Bearer ${tenants[t].apiToken}`, ...headers },
      });
    const one = await completeFlow(tenants.a.issuer, tenants.a.apiToken, q(), {
      sub: 'erin',
      auth: { max_life: 60, data: { ui: 'x' } },
    });
    const two = await completeFlow(tenants.a.issuer, tenants.a.apiToken, q(), { sub: 'erin' });
    const bySid = await store('a', 'GET', '', { sid: one.final.sub_sid! });
    expect(bySid.status).toBe(200);
    expect(await bySid.json()).toMatchObject({
      sub: 'erin',
      max_life: 60,
      data: { ui: 'x' },
      rps: ['shared-client'],
      ctx: 'web',
    });
    const listed = (await (await store('a', 'GET', '?subject=erin')).json()) as Record<string, unknown>;
    expect(Object.keys(listed)).toHaveLength(2);
    const id = createHash('sha256').update(two.final.sub_sid!).digest('hex');
    expect((await store('a', 'GET', `?id=${id}`)).status).toBe(200);
    expect((await store('b', 'GET', `?id=${id}`)).status).toBe(404);
    expect((await store('b', 'GET', '', { sid: one.final.sub_sid! })).status).toBe(404);
    expect((await store('a', 'GET', '', { sid: 'forged' })).status).toBe(404);
    expect(await (await store('a', 'DELETE', '?subject=erin')).json()).toEqual({ ended: 2 });
    expect(await (await store('a', 'GET', '?subject=erin')).json()).toEqual({});
    expect((await start('a', q(), one.final.sub_sid!)).body.type).toBe('auth');
  });

  it('answers access_denied to the client when the end-user denies', async () => {
    const auth = await start('a', q());
    const denied = await sessionApi(tenants.a.issuer, tenants.a.apiToken, 'DELETE', `/${auth.body.sid}`);
    expect(denied.status).toBe(200);
    expect(responseParams(denied.body)).toMatchObject({ error: 'access_denied', state: 's1', iss: tenants.a.issuer });
    expect((await sessionApi(tenants.a.issuer, tenants.a.apiToken, 'GET', `/${auth.body.sid}`)).status).toBe(404);
  });

  it('keeps codes, authorisation sessions and subject sessions inside their tenant', async () => {
    const { code, subSid } = await codeFor('a', { long_lived: true });
    // Tenant B has a client with the same id and the same redirect URI: the code is still useless there.
    expect(
      await token('b', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }),
    ).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // A's access token means nothing at B's UserInfo (same client id, same subject).
    const fresh = await codeFor('a');
    const tokens = await token('a', {
      grant_type: 'authorization_code',
      code: fresh.code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    expect(
      (
        await fetch(`${tenants.a.issuer}/userinfo`, {
          headers: { authorization: `Bearer ${tokens.body.access_token}` },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await fetch(`${tenants.b.issuer}/userinfo`, {
          headers: { authorization: `Bearer ${tokens.body.access_token}` },
        })
      ).status,
    ).toBe(401);
    // A's SSO session means nothing to B: B asks to log in.
    expect((await start('b', q(), subSid)).body.type).toBe('auth');
    expect(responseParams((await start('b', q({ prompt: 'none' }), subSid)).body)).toMatchObject({
      error: 'login_required',
      iss: tenants.b.issuer,
    });
    // An authorisation session of A cannot be read, continued or cancelled at B, even with B's API token.
    const pending = await start('a', q());
    for (const method of ['GET', 'DELETE'] as const)
      expect((await sessionApi(tenants.b.issuer, tenants.b.apiToken, method, `/${pending.body.sid}`)).status).toBe(404);
    expect(
      (await sessionApi(tenants.b.issuer, tenants.b.apiToken, 'PUT', `/${pending.body.sid}`, { sub: 'mallory' }))
        .status,
    ).toBe(404);
    // …nor with A's token at B (the token is B's business).
    expect((await sessionApi(tenants.b.issuer, tenants.a.apiToken, 'GET', `/${pending.body.sid}`)).status).toBe(401);
    // A's session store does not show at B.
    const listed = await fetch(`${tenants.b.issuer}/session-store/rest/v2/sessions?subject=alice`, {
      headers: { authorization: `Bearer ${tenants.b.apiToken}` },
    });
    expect(await listed.json()).toEqual({});
    // And A's flow still completes at A.
    expect(
      (await sessionApi(tenants.a.issuer, tenants.a.apiToken, 'PUT', `/${pending.body.sid}`, { sub: 'bob' })).body.type,
    ).toBe('consent');
  });
});
