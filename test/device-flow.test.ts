import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionApi } from './support/authz-session.ts';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { formField, httpBrowser } from './support/http-browser.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

interface Tenant {
  tid: string;
  issuer: string;
  apiToken: string;
  clientId: string;
  config: oidc.Configuration;
}

/** A raw token request with a device code (to see the error objects openid-client's polling hides). */
async function redeem(t: Tenant, deviceCode: string) {
  const res = await fetch(`${t.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: t.clientId }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/**
 * The device authorisation grant (RFC 8628) over HTTP with openid-client v6
 * as the device: initiateDeviceAuthorization, pollDeviceAuthorizationGrant;
 * the end-user enters the code at the hosted /device page and signs in
 * there (or a tenant's own page drives the authorisation session API with
 * {user_code}). Codes are single use and tenant-bound; guessing is braked.
 */
describe('device flow', () => {
  let planes: InProcessPlanes;
  let a: Tenant;
  let b: Tenant;

  async function tenant(name: string, clientId?: string): Promise<Tenant> {
    const tid = uniqueTid(name);
    const issuer = `${planes.dataPlaneUrl}/${tid}`;
    const { apiToken } = await planes.createTenant({
      tid,
      name: tid,
      issuer,
      config: {
        grants: { grantTypes: ['authorization_code', 'refresh_token', DEVICE_GRANT] },
        tokens: { devicePollInterval: 1 },
      },
    });
    await new PostgresUserDirectory(planes.s.db).create(tid, {
      username: 'alice',
      sub: 'alice',
      password: 'pw-alice-42',
      claims: { name: 'Alice Adams' },
    });
    const added = await addClient(
      planes.s,
      tid,
      {
        client_name: 'Living-room TV',
        token_endpoint_auth_method: 'none',
        grant_types: [DEVICE_GRANT, 'refresh_token'],
        scope: 'openid profile',
      },
      { secret: null, ...(clientId ? { clientId } : {}) },
    );
    const config = await oidc.discovery(new URL(issuer), added.clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    return { tid, issuer, apiToken, clientId: added.clientId, config };
  }

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    a = await tenant('device-a');
    // The same client id at B: only the tenant differs.
    b = await tenant('device-b', a.clientId);
  }, 90_000);
  afterAll(async () => planes?.close());

  it('advertises the device authorisation endpoint and grant where enabled, and only there', async () => {
    const m = a.config.serverMetadata();
    expect(m.device_authorization_endpoint).toBe(`${a.issuer}/device-authz`);
    expect(m.grant_types_supported).toContain(DEVICE_GRANT);
    const tid = uniqueTid('device-off');
    const issuer = `${planes.dataPlaneUrl}/${tid}`;
    await planes.createTenant({ tid, name: tid, issuer });
    const off = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(off.device_authorization_endpoint).toBeUndefined();
    expect(off.grant_types_supported).not.toContain(DEVICE_GRANT);
  });

  it('runs end to end: pending, the end-user approves at /device, tokens with her ID token, then refused', async () => {
    const da = await oidc.initiateDeviceAuthorization(a.config, { scope: 'openid profile' });
    expect(da.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(da.verification_uri).toBe(`${a.issuer}/device`);
    expect(da.verification_uri_complete).toBe(`${a.issuer}/device?user_code=${da.user_code}`);
    expect(da).toMatchObject({ expires_in: 600, interval: 1 });
    expect(await redeem(a, da.device_code)).toMatchObject({ status: 400, body: { error: 'authorization_pending' } });

    const user = httpBrowser();
    const form = await user.go(da.verification_uri_complete!);
    expect(form.status).toBe(200);
    expect(formField(form.html, 'user_code')).toBe(da.user_code);
    // Typed as people type it: lower case, a space for the dash.
    const signIn = await user.go(`${a.issuer}/device`, {
      user_code: da.user_code.toLowerCase().replace('-', ' '),
      csrf: formField(form.html, 'csrf')!,
    });
    expect(signIn.status).toBe(200);
    expect(signIn.html).toContain('Living-room TV');
    const consent = await user.go(`${a.issuer}/login/authenticate`, {
      sid: formField(signIn.html, 'sid')!,
      csrf: formField(signIn.html, 'csrf')!,
      username: 'alice',
      password: 'pw-alice-42',
    });
    expect(consent.html).toContain('name="decision"');
    const done = await user.go(`${a.issuer}/login/consent`, {
      sid: formField(consent.html, 'sid')!,
      csrf: formField(consent.html, 'csrf')!,
      decision: 'allow',
    });
    expect(done.status).toBe(200);
    expect(done.html).toContain('You may return to your device.');

    const tokens = await oidc.pollDeviceAuthorizationGrant(a.config, da);
    expect(tokens.claims()).toMatchObject({ iss: a.issuer, sub: 'alice', aud: a.clientId, amr: ['pwd'] });
    expect(tokens.scope).toBe('openid profile');
    expect(await oidc.fetchUserInfo(a.config, tokens.access_token, 'alice')).toMatchObject({ name: 'Alice Adams' });
    expect(await redeem(a, da.device_code)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // The code was used: entering it again finds nothing.
    const again = await user.go(`${a.issuer}/device`, { user_code: da.user_code, csrf: formField(form.html, 'csrf')! });
    expect(again.status).toBe(400);
    expect(again.html).toContain('That code is not valid.');
  });

  it('is driven by a tenant page through the authorisation session API with {user_code}; a denial reaches the device', async () => {
    const da = await oidc.initiateDeviceAuthorization(a.config, { scope: 'openid' });
    const auth = await sessionApi(a.issuer, a.apiToken, 'POST', '', { user_code: da.user_code });
    expect(auth).toMatchObject({ status: 200, body: { type: 'auth', client: { client_id: a.clientId } } });
    const consent = await sessionApi(a.issuer, a.apiToken, 'PUT', `/${auth.body.sid}`, { sub: 'alice', amr: ['pwd'] });
    expect(consent.body).toMatchObject({ type: 'consent', scope: { new: ['openid'] } });
    const final = await sessionApi(a.issuer, a.apiToken, 'PUT', `/${consent.body.sid}`, { scope: '*', claims: '*' });
    expect(final.body).toMatchObject({ type: 'response', mode: 'device', parameters: {} });
    const tokens = await oidc.pollDeviceAuthorizationGrant(a.config, da);
    expect(tokens.claims()?.sub).toBe('alice');

    const refused = await oidc.initiateDeviceAuthorization(a.config, { scope: 'openid' });
    const started = await sessionApi(a.issuer, a.apiToken, 'POST', '', { user_code: refused.user_code });
    const denied = await sessionApi(a.issuer, a.apiToken, 'DELETE', `/${started.body.sid}`);
    expect(denied.body).toMatchObject({ type: 'response', mode: 'device', parameters: { error: 'access_denied' } });
    expect(await redeem(a, refused.device_code)).toMatchObject({ status: 400, body: { error: 'access_denied' } });
    // Neither query nor user_code, or both: a 400 that says so.
    expect((await sessionApi(a.issuer, a.apiToken, 'POST', '', {})).status).toBe(400);
  });

  it("makes tenant A's device code and user code useless at tenant B", async () => {
    const da = await oidc.initiateDeviceAuthorization(a.config, { scope: 'openid' });
    expect(await redeem(b, da.device_code)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const atB = await sessionApi(b.issuer, b.apiToken, 'POST', '', { user_code: da.user_code });
    expect(atB.body).toEqual({
      type: 'error',
      error: 'invalid_request',
      error_description: 'Unknown or expired user code',
    });
    const user = httpBrowser();
    const form = await user.go(`${b.issuer}/device`);
    const entered = await user.go(`${b.issuer}/device`, {
      user_code: da.user_code,
      csrf: formField(form.html, 'csrf')!,
    });
    expect(entered.status).toBe(400);
    expect(entered.html).toContain('That code is not valid.');
    // At A it still waits for its end-user.
    expect(await redeem(a, da.device_code)).toMatchObject({ status: 400, body: { error: 'authorization_pending' } });
  });

  it('brakes user code guessing: ten wrong codes from one address, then 429 even for a right one', async () => {
    const c = await tenant('device-c');
    const da = await oidc.initiateDeviceAuthorization(c.config, { scope: 'openid' });
    const user = httpBrowser();
    const form = await user.go(`${c.issuer}/device`);
    const csrf = formField(form.html, 'csrf')!;
    const wrong = da.user_code === 'BCDF-GHJK' ? 'BCDF-GHJL' : 'BCDF-GHJK';
    for (let i = 0; i < 10; i++) {
      const guess = await user.go(`${c.issuer}/device`, { user_code: wrong, csrf });
      expect(guess.status).toBe(400);
    }
    const braked = await user.go(`${c.issuer}/device`, { user_code: da.user_code, csrf });
    expect(braked.status).toBe(429);
    expect(Number(braked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(braked.html).toContain('Too many wrong codes.');
    // A forged form is refused before any code is counted or looked up.
    expect((await httpBrowser().go(`${c.issuer}/device`, { user_code: da.user_code, csrf })).status).toBe(403);
  });
});
