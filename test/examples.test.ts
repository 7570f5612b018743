import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../infra/dev/services.ts';
import { uniqueTid } from './support/env.ts';
import { type RunningExample, runExample, startExample } from './support/examples.ts';
import { formField, httpBrowser } from './support/http-browser.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const ORDERS = 'https://orders.example.com/api';
const BILLING = 'https://billing.example.com/api';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * The quickstart apps under examples/ (docs/quickstarts.md), each run as a
 * child process the way its docs say, against a listening data plane:
 * machine to machine with an API audience calling the protect-an-API
 * example, the server-side web app through the hosted login, and the
 * device-flow CLI approved at /device.
 */
describe('examples/', () => {
  let planes: InProcessPlanes;
  let tid: string;
  let issuer: string;
  let apiToken: string;
  const running: RunningExample[] = [];

  /** Registration through /clients with the tenant API token, with the bodies docs/quickstarts.md shows. */
  async function register(body: Record<string, unknown>): Promise<{ clientId: string; secret?: string }> {
    const res = await fetch(`${issuer}/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as { client_id: string; client_secret?: string };
    expect(res.status, JSON.stringify(answer)).toBe(201);
    return { clientId: answer.client_id, ...(answer.client_secret ? { secret: answer.client_secret } : {}) };
  }
  const password = 'pw-alice-quickstart';

  /** The hosted sign-in and consent, from the page an authorisation request leads to. */
  async function signInAndConsent(user: ReturnType<typeof httpBrowser>, page: { html: string }) {
    const consent = await user.go(`${issuer}/login/authenticate`, {
      sid: formField(page.html, 'sid')!,
      csrf: formField(page.html, 'csrf')!,
      username: 'alice',
      password,
    });
    expect(consent.html).toContain('name="decision"');
    return user.go(`${issuer}/login/consent`, {
      sid: formField(consent.html, 'sid')!,
      csrf: formField(consent.html, 'csrf')!,
      decision: 'allow',
    });
  }

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    tid = uniqueTid('examples');
    issuer = `${planes.dataPlaneUrl}/${tid}`;
    ({ apiToken } = await planes.createTenant({
      tid,
      name: tid,
      issuer,
      config: {
        grants: { grantTypes: ['authorization_code', 'refresh_token', 'client_credentials', DEVICE_GRANT] },
        tokens: { devicePollInterval: 1 },
      },
    }));
    await new PostgresUserDirectory(planes.s.db).create(tid, {
      username: 'alice',
      sub: 'alice',
      password,
      claims: { name: 'Alice Adams', email: 'alice@example.com' },
    });
    for (const [identifier, scopes] of [
      [ORDERS, ['orders:read', 'orders:write']],
      [BILLING, ['billing:read']],
    ] as const) {
      const created = await planes.dp.app.inject({
        method: 'POST',
        url: '/resource-servers/rest/v1',
        headers: { 'tenant-id': tid, authorization: `Bearer ${apiToken}` },
        payload: { identifier, name: identifier, scopes, access_token: { profile: 'oauth-1.0' } },
      });
      expect(created.statusCode).toBe(201);
    }
  }, 90_000);
  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    await planes?.close();
  });

  it('machine to machine: a token whose aud is the API, which the protect-an-API example accepts; another audience or scope it refuses', async () => {
    const machine = await register({
      client_name: 'Billing service',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    const api = startExample('protect-an-api', {
      TESSERA_ISSUER: issuer,
      API_IDENTIFIER: ORDERS,
      REQUIRED_SCOPE: 'orders:read',
      PORT: '0',
    });
    running.push(api);
    const apiUrl = (await api.waitFor(/API listening on (\S+)/))[1]!;
    const m2m = (resource: string, scope: string) =>
      runExample('machine-to-machine', {
        TESSERA_ISSUER: issuer,
        CLIENT_ID: machine.clientId,
        CLIENT_SECRET: machine.secret!,
        API_IDENTIFIER: resource,
        SCOPE: scope,
        API_URL: apiUrl,
      });

    const good = await m2m(ORDERS, 'orders:read');
    expect(good.code, good.output).toBe(0);
    const result = JSON.parse(good.output) as Record<string, unknown>;
    expect(result).toMatchObject({
      token_type: 'bearer',
      scope: 'orders:read',
      aud: [ORDERS],
      api: { status: 200, body: { client_id: machine.clientId, scopes: ['orders:read'] } },
    });
    expect(api.output()).toContain(`accepted: GET / for ${machine.clientId}`);

    // A token for another API: the signature and issuer are fine, the audience is not.
    const other = JSON.parse((await m2m(BILLING, 'billing:read')).output) as { aud: string[]; api: unknown };
    expect(other.aud).toEqual([BILLING]);
    expect(other.api).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    expect(api.output()).toMatch(/refused: unexpected "aud" claim value/);

    const writeOnly = JSON.parse((await m2m(ORDERS, 'orders:write')).output) as { api: unknown };
    expect(writeOnly.api).toMatchObject({ status: 403, body: { error: 'insufficient_scope' } });

    const anonymous = await fetch(apiUrl);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer error="invalid_request"');
  });

  it('server-side web app: signs alice in through the hosted login and shows her ID token and UserInfo', async () => {
    const port = await freePort();
    const redirectUri = `http://localhost:${port}/callback`;
    const web = await register({
      client_name: 'Quickstart web app',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid profile email',
    });
    const app = startExample('server-side-web-app', {
      TESSERA_ISSUER: issuer,
      CLIENT_ID: web.clientId,
      CLIENT_SECRET: web.secret!,
      REDIRECT_URI: redirectUri,
    });
    running.push(app);
    await app.waitFor(/web app listening on/);

    const user = httpBrowser();
    const loginPage = await user.open(`http://localhost:${port}/login`);
    expect(loginPage.status).toBe(200);
    expect(loginPage.html).toContain('Quickstart web app');
    const consented = await signInAndConsent(user, loginPage);
    expect(consented.status).toBe(303);
    expect(new URL(consented.location!).searchParams.get('code')).toBeTruthy();
    expect(consented.location!.startsWith(`${redirectUri}?`)).toBe(true);
    const home = await user.open(consented.location!);
    expect(home.status).toBe(200);
    expect(home.html).toContain('<h1>Hello Alice Adams</h1>');
    const signedIn = JSON.parse((await app.waitFor(/signed in: (.*)/))[1]!) as Record<string, unknown>;
    expect(signedIn).toMatchObject({
      id_token_claims: { iss: issuer, sub: 'alice', aud: web.clientId },
      userinfo: { sub: 'alice', name: 'Alice Adams', email: 'alice@example.com' },
    });

    // The callback again (a replayed code, no login under way): refused, not signed in twice.
    const replay = await user.open(consented.location!);
    expect(replay.status).toBe(400);
  });

  it('device CLI: prints the user code, alice approves it at /device, then the CLI prints her tokens', async () => {
    const tv = await register({
      client_name: 'Quickstart CLI',
      token_endpoint_auth_method: 'none',
      grant_types: [DEVICE_GRANT, 'refresh_token'],
      scope: 'openid profile offline_access',
    });
    const cli = startExample('device-cli', { TESSERA_ISSUER: issuer, CLIENT_ID: tv.clientId, SCOPE: 'openid profile' });
    running.push(cli);
    const [, verificationUri, userCode] = await cli.waitFor(/open (\S+) and enter the code (\S+)/);
    expect(verificationUri).toBe(`${issuer}/device`);

    const user = httpBrowser();
    const form = await user.open(verificationUri!);
    const signIn = await user.go(`${issuer}/device`, { user_code: userCode!, csrf: formField(form.html, 'csrf')! });
    expect(signIn.html).toContain('Quickstart CLI');
    const done = await signInAndConsent(user, signIn);
    expect(done.html).toContain('You may return to your device.');

    expect(await cli.exited, cli.output()).toBe(0);
    const signedIn = JSON.parse((await cli.waitFor(/signed in: (.*)/))[1]!) as Record<string, unknown>;
    expect(signedIn).toMatchObject({
      id_token_claims: { iss: issuer, sub: 'alice', aud: tv.clientId },
      userinfo: { sub: 'alice', name: 'Alice Adams' },
      scope: 'openid profile',
    });
  });
});
