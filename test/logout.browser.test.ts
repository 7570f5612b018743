import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import * as oidc from 'openid-client';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Chromium, launchChromium, submitLogin } from './support/chromium.ts';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

/**
 * The RP's page with the OP iframe (Session Management 1.0 §4.1):
 * `check(message)` posts `client_id session_state` to the iframe and
 * resolves with its answer. Served from the redirect URI's origin, as the
 * session_state is bound to it.
 */
const rpPage = (checkSession: string) => {
  const op = new URL(checkSession).origin;
  return `<!doctype html><html lang="en"><title>RP</title>
<iframe id="op" title="OP" src="${checkSession}"></iframe>
<script>
  const op = document.getElementById('op');
  window.opLoaded = new Promise((resolve) => op.addEventListener('load', resolve));
  window.check = (message) => new Promise((resolve) => {
    const listener = (event) => {
      if (event.origin !== ${JSON.stringify(op)} || event.source !== op.contentWindow) return;
      removeEventListener('message', listener);
      resolve(event.data);
    };
    addEventListener('message', listener);
    op.contentWindow.postMessage(message, ${JSON.stringify(op)});
  });
</script></html>`;
};

/**
 * RP-initiated logout and session management in Debian's Chromium
 * (playwright-core): alice signs in through the hosted login; an RP page
 * embeds the check-session iframe, which answers `unchanged`; she signs out
 * in another tab through `/logout` (openid-client's buildEndSessionUrl with
 * id_token_hint, a registered post_logout_redirect_uri and state) and
 * confirms; the browser lands on that URI with the state; the first tab's
 * iframe now answers `changed`; `prompt=none` gets `login_required` and the
 * session store lists no session.
 */
describe('logout and session management in Chromium', () => {
  let planes: InProcessPlanes;
  let browser: BrowserContext;
  let page: Page;
  let chrome: Chromium;
  let rpServer: Server;
  let rp: string;
  let config: oidc.Configuration;
  let tid: string;
  let issuer: string;
  let apiToken: string;
  let clientId: string;
  const password = randomBytes(12).toString('base64url');
  /** From the first sign-in. */
  const signedIn: { sessionState?: string; idToken?: string } = {};

  const signIn = async (target: Page, extra: Record<string, string> = {}) => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${rp}/callback`,
      scope: 'openid profile',
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    });
    await target.goto(url.href);
    return { verifier, state, nonce };
  };
  const check = (target: Page, message: string) =>
    target.evaluate(async (m) => {
      const w = globalThis as unknown as { opLoaded: Promise<void>; check(m: string): Promise<string> };
      await w.opLoaded;
      return w.check(m);
    }, message);
  const sessionsOfAlice = async () => {
    const res = await fetch(`${issuer}/session-store/rest/v2/sessions?subject=alice`, {
      headers: { authorization: `Bearer ${apiToken}` },
    });
    expect(res.status).toBe(200);
    return Object.keys((await res.json()) as Record<string, unknown>);
  };

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    rpServer = createServer((req, res) => {
      const at = new URL(req.url!, 'http://127.0.0.1');
      const html = (body: string) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
      if (at.pathname === '/callback') return html('<!doctype html><html lang="en"><title>Callback</title></html>');
      if (at.pathname === '/bye') return html('<!doctype html><html lang="en"><title>Signed out</title></html>');
      if (at.pathname === '/rp') return html(rpPage(`${issuer}/check-session`));
      res.writeHead(404).end();
    });
    // The RP on loopback like the data plane: same site, other origin (the browser state is SameSite=Lax on http).
    await new Promise<void>((resolve) => rpServer.listen(0, '127.0.0.1', resolve));
    rp = `http://127.0.0.1:${(rpServer.address() as { port: number }).port}`;

    tid = uniqueTid('logout-browser');
    issuer = `${planes.dataPlaneUrl}/${tid}`;
    ({ apiToken } = await planes.createTenant({
      tid,
      name: tid,
      issuer,
      config: { login: { title: 'Sign in to Wonderland' } },
    }));
    const client = await addClient(planes.s, tid, {
      client_name: 'Wonderland Reader',
      redirect_uris: [`${rp}/callback`],
      post_logout_redirect_uris: [`${rp}/bye`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      scope: 'openid profile',
    });
    clientId = client.clientId;
    config = await oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(client.secret!), {
      execute: [oidc.allowInsecureRequests],
    });
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
    await new Promise<void>((resolve) => (rpServer ? rpServer.close(() => resolve()) : resolve()));
    await planes?.close();
  });

  it('advertises the check-session iframe and the end-session endpoint', () => {
    const m = config.serverMetadata();
    expect(m.check_session_iframe).toBe(`${issuer}/check-session`);
    expect(m.end_session_endpoint).toBe(`${issuer}/logout`);
  });

  it('signs alice in; the response carries session_state, and the RP’s check-session iframe answers unchanged', async () => {
    const { verifier, state, nonce } = await signIn(page);
    await submitLogin(page, 'alice', password);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((u) => u.pathname === '/callback');
    const callback = new URL(page.url());
    const sessionState = callback.searchParams.get('session_state')!;
    expect(sessionState).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]+$/);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    signedIn.sessionState = sessionState;
    signedIn.idToken = tokens.id_token!;
    expect(await sessionsOfAlice()).toHaveLength(1);

    // The browser state is for the iframe's script: not HttpOnly, scoped to the issuer's path.
    const cookie = (await browser.cookies(issuer)).find((c) => c.name.startsWith('tessera_bs_'))!;
    expect(cookie).toMatchObject({ httpOnly: false, path: `/${tid}` });

    await page.goto(`${rp}/rp`);
    expect(await check(page, `${clientId} ${sessionState}`)).toBe('unchanged');
    // Another client id, a forged hash, a malformed message.
    expect(await check(page, `other-client ${sessionState}`)).toBe('changed');
    expect(await check(page, `${clientId} ${'A'.repeat(43)}.${sessionState.split('.')[1]}`)).toBe('changed');
    expect(await check(page, 'no session state here')).toBe('error');
    // Still unchanged when asked again (nothing above touched the session).
    expect(await check(page, `${clientId} ${sessionState}`)).toBe('unchanged');
  });

  it('signs out in another tab (id_token_hint, registered post_logout_redirect_uri, state): lands there with the state', async () => {
    const other = await browser.newPage();
    const state = oidc.randomState();
    const url = oidc.buildEndSessionUrl(config, {
      id_token_hint: signedIn.idToken!,
      post_logout_redirect_uri: `${rp}/bye`,
      state,
    });
    await other.goto(url.href);
    await expect.poll(() => other.locator('h1').textContent()).toBe('Sign out of all applications?');
    await other.getByRole('button', { name: 'Sign out of all applications' }).click();
    await other.waitForURL((u) => u.pathname === '/bye');
    const landed = new URL(other.url());
    expect(landed.origin).toBe(rp);
    expect(landed.searchParams.get('state')).toBe(state);
    expect(await sessionsOfAlice()).toEqual([]);
    await other.close();
  });

  it('the first tab’s check-session iframe now answers changed', async () => {
    // The same RP page, loaded before the logout: its iframe reads the cookie as it is now.
    expect(new URL(page.url()).pathname).toBe('/rp');
    expect(await check(page, `${clientId} ${signedIn.sessionState}`)).toBe('changed');
  });

  it('prompt=none in the same browser gets login_required; an unregistered post_logout_redirect_uri is never followed', async () => {
    const { state } = await signIn(page, { prompt: 'none' });
    await page.waitForURL((u) => u.pathname === '/callback');
    const callback = new URL(page.url());
    expect(callback.searchParams.get('error')).toBe('login_required');
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.get('session_state')).toBeNull();

    const unregistered = oidc.buildEndSessionUrl(config, {
      id_token_hint: signedIn.idToken!,
      post_logout_redirect_uri: `${rp}/elsewhere`,
      state: 'x',
    });
    const response = await page.goto(unregistered.href);
    expect(response!.status()).toBe(400);
    expect(new URL(page.url()).origin).toBe(new URL(issuer).origin);
  });

  it('a new sign-in gives a new session_state that reads unchanged while the old one stays changed', async () => {
    const { verifier, state, nonce } = await signIn(page);
    await submitLogin(page, 'alice', password);
    await page.waitForURL((u) => u.pathname === '/callback');
    const callback = new URL(page.url());
    const sessionState = callback.searchParams.get('session_state')!;
    await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    await page.goto(`${rp}/rp`);
    expect(await check(page, `${clientId} ${sessionState}`)).toBe('unchanged');
    expect(await check(page, `${clientId} ${signedIn.sessionState}`)).toBe('changed');
  });
});
