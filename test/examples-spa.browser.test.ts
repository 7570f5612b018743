import { randomBytes } from 'node:crypto';
import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../infra/dev/services.ts';
import { type Chromium, launchChromium, shownResult, submitLogin } from './support/chromium.ts';
import { uniqueTid } from './support/env.ts';
import { type RunningExample, startExample } from './support/examples.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

/**
 * examples/single-page-app in Chromium: the example's own server and page
 * (openid-client 6 bundled for the browser) on another loopback origin; a
 * public client with that origin in allowed_cors_origins. Alice signs in
 * with PKCE through the hosted login; the page redeems the code with a DPoP
 * proof, calls UserInfo and refreshes with proofs, all through CORS, and
 * shows what it got.
 */
describe('examples/single-page-app in Chromium', () => {
  let planes: InProcessPlanes;
  let page: Page;
  let chrome: Chromium;
  let spa: RunningExample;
  let origin: string;
  let issuer: string;
  let clientId: string;
  const password = randomBytes(12).toString('base64url');

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    const tid = uniqueTid('spa-example');
    issuer = `${planes.dataPlaneUrl}/${tid}`;
    const { apiToken } = await planes.createTenant({
      tid,
      name: tid,
      issuer,
      config: { authorization: { requirePkce: true } },
    });
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    // Registered through /clients as docs/quickstarts.md shows.
    const registered = await fetch(`${issuer}/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Quickstart SPA',
        token_endpoint_auth_method: 'none',
        redirect_uris: [`${origin}/callback`],
        allowed_cors_origins: [origin],
        grant_types: ['authorization_code', 'refresh_token'],
        scope: 'openid profile offline_access',
      }),
    });
    expect(registered.status).toBe(201);
    ({ client_id: clientId } = (await registered.json()) as { client_id: string });
    await new PostgresUserDirectory(planes.s.db).create(tid, {
      username: 'alice',
      sub: 'alice',
      password,
      claims: { name: 'Alice Liddell' },
    });
    spa = startExample('single-page-app', { TESSERA_ISSUER: issuer, CLIENT_ID: clientId, PORT: String(port) });
    await spa.waitFor(/single-page app at /);
    chrome = await launchChromium();
    ({ page } = chrome);
  }, 90_000);

  afterAll(async () => {
    await chrome?.close();
    await spa?.stop();
    await planes?.close();
  });

  it('signs alice in with PKCE, gets DPoP-bound tokens, calls UserInfo and refreshes through CORS', async () => {
    const answers: Array<{ path: string; method: string; allowOrigin: string | undefined }> = [];
    page.on('response', (res) => {
      if (!res.url().startsWith(`${issuer}/`)) return;
      const path = new URL(res.url()).pathname.slice(new URL(issuer).pathname.length);
      if (['/token', '/userinfo'].includes(path))
        answers.push({
          path,
          method: res.request().method(),
          allowOrigin: res.headers()['access-control-allow-origin'],
        });
    });
    await page.goto(origin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.href.startsWith(`${issuer}/`));
    await submitLogin(page, 'alice', password);
    await page.getByRole('button', { name: 'Allow' }).click();
    const result = await shownResult(page);
    expect(result).toMatchObject({
      token_type: 'dpop',
      access_token_claims: { sub: 'alice', cnf: { jkt: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) } },
      id_token_claims: { iss: issuer, sub: 'alice', aud: clientId },
      userinfo: { sub: 'alice', name: 'Alice Liddell' },
      refresh: { token_type: 'dpop', rotated: true },
    });
    // openid-client lower-cases token_type (the server answers DPoP). The browser read each answer as the SPA's origin.
    const read = answers.filter((a) => a.method !== 'OPTIONS');
    expect(read.map((a) => a.path)).toEqual(['/token', '/userinfo', '/token']);
    expect(read.every((a) => a.allowOrigin === origin)).toBe(true);
  });
});
