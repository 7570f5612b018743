import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Chromium, launchChromium, shownResult, submitLogin } from './support/chromium.ts';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

/**
 * A single-page app as a developer would write it without a library: plain
 * fetch and Web Crypto. `/` discovers the provider (CORS open), makes a
 * PKCE verifier and state, keeps them in sessionStorage and goes to the
 * hosted login; `/callback` checks the state, exchanges the code at the
 * token endpoint and calls UserInfo with the access token, both through
 * CORS, and shows what came back (or the error) in the page.
 */
const spaPage = (issuer: string, clientId: string) => `<!doctype html><html lang="en"><title>SPA</title>
<pre id="result"></pre><pre id="error"></pre>
<script type="module">
  const issuer = ${JSON.stringify(issuer)};
  const clientId = ${JSON.stringify(clientId)};
  const redirectUri = location.origin + '/callback';
  const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const random = () => b64url(crypto.getRandomValues(new Uint8Array(32)));
  const show = (id, value) => { document.getElementById(id).textContent = JSON.stringify(value); };
  async function start() {
    const metadata = await (await fetch(issuer + '/.well-known/openid-configuration')).json();
    const verifier = random();
    const state = random();
    const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    sessionStorage.setItem('pkce', JSON.stringify({ verifier, state, metadata }));
    const url = new URL(metadata.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: 'openid profile',
      state, code_challenge: challenge, code_challenge_method: 'S256',
    }).toString();
    location.assign(url.href);
  }
  async function callback() {
    const { verifier, state, metadata } = JSON.parse(sessionStorage.getItem('pkce'));
    const params = new URLSearchParams(location.search);
    if (params.get('state') !== state) throw new Error('state mismatch');
    const tokenResponse = await fetch(metadata.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri,
        client_id: clientId, code_verifier: verifier,
      }),
    });
    const tokens = await tokenResponse.json();
    if (!tokenResponse.ok) throw new Error('token: ' + JSON.stringify(tokens));
    const userinfoResponse = await fetch(metadata.userinfo_endpoint, {
      headers: { authorization: 'Bearer ' + tokens.access_token },
    });
    const userinfo = await userinfoResponse.json();
    show('result', {
      token_type: tokens.token_type,
      has_access_token: typeof tokens.access_token === 'string',
      has_id_token: typeof tokens.id_token === 'string',
      scope: tokens.scope,
      userinfo,
    });
  }
  (location.pathname === '/callback' ? callback() : start()).catch((err) => show('error', String(err)));
</script></html>`;

/** A page of another origin that tries the token endpoint: what fetch made of it. */
const probePage = (tokenEndpoint: string, clientId: string) => `<!doctype html><html lang="en"><title>Probe</title>
<script>
  window.probe = () => fetch(${JSON.stringify(tokenEndpoint)}, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', client_id: ${JSON.stringify(clientId)} }),
  }).then((res) => 'read ' + res.status, (err) => 'blocked: ' + err.name);
</script></html>`;

/** A node:http server on loopback serving one page for every path: another origin than the data plane. */
async function servePage(html: () => string): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

/**
 * Issue 16's browser acceptance: a single-page app served from another
 * loopback origin signs alice in with PKCE through the hosted login as a
 * public client (token_endpoint_auth_method none, allowed_cors_origins its
 * origin), then calls /token and /userinfo with fetch through CORS; a page
 * of an origin no client registered cannot read the token endpoint's
 * answers, and a plain request with that Origin gets no CORS headers.
 */
describe('a single-page app in Chromium, through CORS', () => {
  let planes: InProcessPlanes;
  let browser: BrowserContext;
  let page: Page;
  let chrome: Chromium;
  let spa: { server: Server; origin: string };
  let stranger: { server: Server; origin: string };
  let issuer: string;
  let clientId = '';
  const password = randomBytes(12).toString('base64url');

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    const tid = uniqueTid('spa-browser');
    issuer = `${planes.dataPlaneUrl}/${tid}`;
    spa = await servePage(() => spaPage(issuer, clientId));
    stranger = await servePage(() => probePage(`${issuer}/token`, clientId));
    await planes.createTenant({
      tid,
      name: tid,
      issuer,
      config: { login: { title: 'Sign in to Wonderland' }, authorization: { requirePkce: true } },
    });
    ({ clientId } = await addClient(
      planes.s,
      tid,
      {
        client_name: 'Wonderland SPA',
        token_endpoint_auth_method: 'none',
        redirect_uris: [`${spa.origin}/callback`],
        allowed_cors_origins: [spa.origin],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'openid profile',
      },
      { secret: null },
    ));
    await new PostgresUserDirectory(planes.s.db).create(tid, {
      username: 'alice',
      sub: 'alice',
      password,
      claims: { name: 'Alice Liddell' },
    });
    chrome = await launchChromium();
    ({ browser, page } = chrome);
  }, 90_000);

  afterAll(async () => {
    await chrome?.close();
    for (const s of [spa?.server, stranger?.server])
      await new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()));
    await planes?.close();
  });

  it('signs alice in with PKCE through the hosted login, then reads /token and /userinfo through CORS', async () => {
    const corsAnswers: Array<{ url: string; method: string; allowOrigin: string | undefined }> = [];
    page.on('response', (res) => {
      if (res.url().startsWith(`${issuer}/token`) || res.url().startsWith(`${issuer}/userinfo`))
        corsAnswers.push({
          url: res.url(),
          method: res.request().method(),
          allowOrigin: res.headers()['access-control-allow-origin'],
        });
    });
    await page.goto(spa.origin);
    await page.waitForURL((u) => u.href.startsWith(`${issuer}/`));
    await submitLogin(page, 'alice', password);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((u) => u.href.startsWith(`${spa.origin}/callback`));
    const result = await shownResult(page);
    expect(result).toEqual({
      token_type: 'Bearer',
      has_access_token: true,
      has_id_token: true,
      scope: 'openid profile',
      userinfo: { sub: 'alice', name: 'Alice Liddell', updated_at: expect.any(Number) },
    });
    // What the browser saw: each call answered for the SPA's origin (the POST with a form needs no preflight; fetch's own).
    expect(corsAnswers.filter((a) => a.method !== 'OPTIONS')).toEqual([
      { url: `${issuer}/token`, method: 'POST', allowOrigin: spa.origin },
      { url: `${issuer}/userinfo`, method: 'GET', allowOrigin: spa.origin },
    ]);
  });

  it('keeps the answers from a page of an origin no client registered', async () => {
    const probe = await browser.newPage();
    await probe.goto(stranger.origin);
    const seen = await probe.evaluate(() => (globalThis as unknown as { probe(): Promise<string> }).probe());
    expect(seen).toBe('blocked: TypeError');
    await probe.close();
    // The registered origin reads the same refusal (a code that is not one): what fetch would have shown.
    const asSpa = await page.evaluate(
      ([url, id]) =>
        fetch(url!, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', client_id: id! }),
        }).then(async (res) => `${res.status} ${((await res.json()) as { error: string }).error}`),
      [`${issuer}/token`, clientId],
    );
    expect(asSpa).toBe('400 invalid_grant');
    // Over plain HTTP with the stranger's Origin: no CORS headers at all, preflight or not.
    for (const method of ['OPTIONS', 'POST']) {
      const res = await fetch(`${issuer}/token`, {
        method,
        headers: {
          origin: stranger.origin,
          'access-control-request-method': 'POST',
          'content-type': 'application/x-www-form-urlencoded',
        },
        ...(method === 'POST' ? { body: `grant_type=authorization_code&code=x&client_id=${clientId}` } : {}),
      });
      expect(res.headers.get('access-control-allow-origin'), method).toBeNull();
    }
  });
});
