import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Chromium, launchChromium, submitLogin } from './support/chromium.ts';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { basicAuth } from './support/issuer-http.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const ROOT = join(import.meta.dirname, '..');
const SHOTS = join(ROOT, '.cache', 'screenshots');

/**
 * The hosted login UI in Debian's Chromium (playwright-core): alice signs
 * in on the login page, consents, and the browser lands on the client's
 * callback with a code; the next authorisation skips both pages (SSO and
 * remembered consent); prompt=login shows the login page again.
 * `SAVE_SCREENSHOTS=1` copies the screenshots to docs/ for the README.
 */
describe('hosted login UI in Chromium', () => {
  let planes: InProcessPlanes;
  let browser: BrowserContext;
  let page: Page;
  let chrome: Chromium;
  let callbackServer: Server;
  let redirect: string;
  const hits: URL[] = [];
  const posts: Array<Record<string, string>> = [];
  const t: Record<'a' | 'b', { tid: string; issuer: string; clientId: string; secret: string }> = {} as never;
  const password = randomBytes(12).toString('base64url');

  const authorizeUrl = (who: 'a' | 'b', extra: Record<string, string> = {}) => {
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(8).toString('hex');
    const params = new URLSearchParams({
      response_type: 'code',
      client_id: t[who].clientId,
      redirect_uri: redirect,
      scope: 'openid profile email',
      state,
      nonce: randomBytes(8).toString('hex'),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...extra,
    });
    return { url: `${t[who].issuer}/login?${params}`, verifier, state };
  };
  /** The main-frame documents the data plane served during `work` (redirects are not documents). */
  const pagesDuring = async (work: () => Promise<unknown>) => {
    const seen: string[] = [];
    const listener = (frame: { url(): string; parentFrame(): unknown }) => {
      if (!frame.parentFrame()) seen.push(frame.url());
    };
    page.on('framenavigated', listener);
    try {
      await work();
    } finally {
      page.off('framenavigated', listener);
    }
    return seen;
  };

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    callbackServer = createServer((req, res) => {
      const at = new URL(req.url!, 'http://localhost');
      // Chromium also asks for /favicon.ico, sometimes late: only the callback counts.
      if (at.pathname !== '/callback') return void res.writeHead(404).end();
      hits.push(at);
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (req.method === 'POST') posts.push(Object.fromEntries(new URLSearchParams(body)));
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end('<!doctype html><html lang="en"><title>Client callback</title><h1>Client callback</h1></html>');
      });
    });
    await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
    redirect = `http://localhost:${(callbackServer.address() as { port: number }).port}/callback`;
    for (const who of ['a', 'b'] as const) {
      const tid = uniqueTid(`login-${who}`);
      const issuer = `${planes.dataPlaneUrl}/${tid}`;
      await planes.createTenant({ tid, name: tid, issuer, config: { login: { title: 'Sign in to Wonderland' } } });
      const { clientId, secret } = await addClient(planes.s, tid, {
        client_name: 'Wonderland Reader',
        redirect_uris: [redirect],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'openid profile email',
      });
      t[who] = { tid, issuer, clientId, secret: secret! };
    }
    await new PostgresUserDirectory(planes.s.db).create(t.a.tid, {
      username: 'alice',
      sub: 'alice',
      password,
      claims: { name: 'Alice Liddell', email: 'alice@example.com' },
    });
    chrome = await launchChromium();
    ({ browser, page } = chrome);
    mkdirSync(SHOTS, { recursive: true });
  }, 90_000);

  afterAll(async () => {
    await chrome?.close();
    await new Promise<void>((resolve) => (callbackServer ? callbackServer.close(() => resolve()) : resolve()));
    await planes?.close();
  });

  it('signs alice in, asks for consent, lands on the callback with a code that redeems', async () => {
    const { url, verifier, state } = authorizeUrl('a');
    await page.goto(url);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sign in to Wonderland');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    // accessible: every field has a label, the first one has focus
    expect(await page.getByLabel('Username').count()).toBe(1);
    expect(await page.getByLabel('Password').count()).toBe(1);
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('username');
    await page.screenshot({ path: join(SHOTS, 'login.png') });

    // a wrong password keeps the user on the page with an announced error
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Incorrect username or password');

    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Allow Wonderland Reader?');
    const listed = (await page.locator('main').textContent())!;
    expect(listed).toContain('See your email address');
    expect(listed).toContain('whether your email address is verified');
    await page.screenshot({ path: join(SHOTS, 'consent.png'), fullPage: true });
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((u) => u.pathname === '/callback');

    const callback = new URL(page.url());
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.get('iss')).toBe(t.a.issuer);
    const code = callback.searchParams.get('code')!;
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const res = await fetch(`${t.a.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuth(t.a.clientId, t.a.secret),
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirect,
        code_verifier: verifier,
      }),
    });
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as { id_token: string };
    expect(JSON.parse(Buffer.from(tokens.id_token.split('.')[1]!, 'base64url').toString()).sub).toBe('alice');

    // the SSO cookie is HttpOnly and scoped to the tenant's issuer path
    const sso = (await browser.cookies(t.a.issuer)).find((c) => c.name.startsWith('tessera_sso_'))!;
    expect(sso).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: `/${t.a.tid}` });
    if (process.env.SAVE_SCREENSHOTS === '1')
      for (const f of ['login.png', 'consent.png']) copyFileSync(join(SHOTS, f), join(ROOT, 'docs', f));
  });

  it('skips both pages on the next authorisation (SSO + remembered consent)', async () => {
    const { url, state } = authorizeUrl('a');
    const before = hits.length;
    const documents = await pagesDuring(async () => {
      await page.goto(url);
      await page.waitForURL((u) => u.pathname === '/callback');
    });
    expect(documents.every((d) => new URL(d).pathname === '/callback')).toBe(true);
    expect(hits.length).toBe(before + 1);
    expect(new URL(page.url()).searchParams.get('state')).toBe(state);
    expect(new URL(page.url()).searchParams.get('error')).toBeNull();
    expect(new URL(page.url()).searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('shows the login page again for prompt=login, then skips the remembered consent', async () => {
    const { url } = authorizeUrl('a', { prompt: 'login' });
    await page.goto(url);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sign in to Wonderland');
    await submitLogin(page, 'alice', password);
    await page.waitForURL((u) => u.pathname === '/callback');
    expect(new URL(page.url()).searchParams.get('error')).toBeNull();
    expect(new URL(page.url()).searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('posts the response with form_post (the page script runs under the CSP nonce) and sends access_denied on Deny', async () => {
    const { url, state } = authorizeUrl('a', { response_mode: 'form_post', prompt: 'consent' });
    await page.goto(url);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Allow Wonderland Reader?');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((u) => u.pathname === '/callback');
    expect(posts.at(-1)).toMatchObject({ state, iss: t.a.issuer, code: expect.any(String) });

    const denied = authorizeUrl('a', { prompt: 'consent' });
    await page.goto(denied.url);
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.waitForURL((u) => u.pathname === '/callback');
    const callback = new URL(page.url());
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(denied.state);
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('takes the authorisation request by POST too, and keeps the SSO cookie past the browser session on request', async () => {
    const { url } = authorizeUrl('a', { prompt: 'login' });
    const res = await fetch(`${t.a.issuer}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URL(url).search.slice(1),
      redirect: 'manual',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="password"');

    await page.goto(url);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(password);
    await page.getByLabel('Keep me signed in on this device').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/callback');
    const sso = (await browser.cookies(t.a.issuer)).find((c) => c.name.startsWith('tessera_sso_'))!;
    expect(sso.expires).toBeGreaterThan(Date.now() / 1000 + 3600);
  });

  it('stops checking passwords for a username after 10 failures in a row', async () => {
    const res = await fetch(authorizeUrl('a', { prompt: 'login' }).url, { redirect: 'manual' });
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const html = await res.text();
    const field = (name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))![1]!;
    const attempt = (pw: string) =>
      fetch(`${t.a.issuer}/login/authenticate`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ sid: field('sid'), csrf: field('csrf'), username: 'mallory', password: pw }),
      });
    await new PostgresUserDirectory(planes.s.db).create(t.a.tid, { username: 'mallory', password: 'the-right-one' });
    for (let i = 0; i < 10; i++)
      expect(await (await attempt(`guess-${i}`)).text()).toContain('Incorrect username or password');
    const blocked = await attempt('the-right-one');
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain('Too many failed attempts');
  });

  it('never redirects to an unregistered redirect URI: an error page instead', async () => {
    const { url } = authorizeUrl('a', { redirect_uri: 'https://evil.example.com/cb' });
    const response = await page.goto(url);
    expect(response!.status()).toBe(400);
    expect(new URL(page.url()).host).toBe(new URL(t.a.issuer).host);
    await expect.poll(() => page.getByRole('alert').count()).toBe(1);
    expect(await page.locator('a').count()).toBe(0);
  });

  it('gives tenant A\u2019s session cookie no meaning at tenant B, and refuses forms without the CSRF cookie', async () => {
    const sso = (await browser.cookies(t.a.issuer)).find((c) => c.name.startsWith('tessera_sso_'))!;
    // tenant B's cookie name (cookies.ts: a suffix from the issuer URL), with tenant A's session id as its value
    const nameAtB = `tessera_sso_${createHash('sha256').update(t.b.issuer).digest('base64url').slice(0, 10)}`;
    const atB = await fetch(authorizeUrl('b').url, {
      redirect: 'manual',
      headers: { cookie: `${nameAtB}=${sso.value}` },
    });
    const body = await atB.text();
    expect(atB.status).toBe(200); // the login page, not a redirect with a code
    expect(body).toContain('name="password"');

    const form = await fetch(`${t.a.issuer}/login/authenticate`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ sid: 'x', csrf: 'y', username: 'alice', password }),
    });
    expect(form.status).toBe(403);
    expect(form.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });
});
