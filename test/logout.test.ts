import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeFlow } from './support/authz-session.ts';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { hostedSignIn } from './support/hosted-sign-in.ts';
import { cookieHeader, formField, type Jar, keep } from './support/http-browser.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const REDIRECT = 'http://localhost:3000/callback';
const BYE = 'http://localhost:3000/bye';
/** The front-channel client's logout page: an origin of its own, so the CSP's frame-src can be checked exactly. */
const FC = 'http://localhost:4000/fc-logout';

interface Tenant {
  tid: string;
  issuer: string;
  apiToken: string;
  /** No front-channel URI: its logouts end in a 303. */
  app: { clientId: string; secret: string };
  /** frontchannel_logout_uri with frontchannel_logout_session_required. */
  fcApp: { clientId: string; secret: string };
}

/**
 * RP-Initiated Logout 1.0, Front-Channel Logout 1.0 and the logout session
 * API over HTTP on a listening data plane: alice signs in through the hosted
 * login (HTTP), openid-client builds the end-session URL, the browser's
 * steps (prompt, CSRF-protected confirmation, redirect) are followed with a
 * cookie jar. The real-browser run is logout.browser.test.ts.
 */
describe('logout', () => {
  let planes: InProcessPlanes;
  let a: Tenant;
  let b: Tenant;

  async function tenant(name: string): Promise<Tenant> {
    const tid = uniqueTid(name);
    const issuer = `${planes.dataPlaneUrl}/${tid}`;
    const { apiToken } = await planes.createTenant({
      tid,
      name: tid,
      issuer,
      config: { login: { locales: ['en', 'de'] } },
    });
    await new PostgresUserDirectory(planes.s.db).create(tid, {
      username: 'alice',
      sub: 'alice',
      password: 'pw-alice-42',
    });
    const base = { grant_types: ['authorization_code'], response_types: ['code'], redirect_uris: [REDIRECT] };
    const app = await addClient(planes.s, tid, { ...base, client_name: 'App', post_logout_redirect_uris: [BYE] });
    const fcApp = await addClient(planes.s, tid, {
      ...base,
      client_name: 'FC App',
      post_logout_redirect_uris: [BYE],
      frontchannel_logout_uri: FC,
      frontchannel_logout_session_required: true,
    });
    return {
      tid,
      issuer,
      apiToken,
      app: { clientId: app.clientId, secret: app.secret! },
      fcApp: { clientId: fcApp.clientId, secret: fcApp.secret! },
    };
  }

  /** alice signs in to `client` through the hosted pages: her ID token, its claims and the browser's cookies. */
  async function signIn(t: Tenant, client = t.app) {
    const done = await hostedSignIn(planes.dp.app, {
      tid: t.tid,
      client,
      redirectUri: REDIRECT,
      scope: 'openid',
      username: 'alice',
      password: 'pw-alice-42',
    });
    expect(done.tokens?.statusCode).toBe(200);
    const idToken = done.tokens!.json().id_token as string;
    return { idToken, sid: decodeJwt(idToken).sid as string, jar: done.cookies };
  }

  const get = (url: string | URL, jar: Jar) =>
    fetch(url, { redirect: 'manual', headers: { cookie: cookieHeader(jar) } });
  const post = (t: Tenant, path: string, jar: Jar, form: Record<string, string>) =>
    fetch(`${t.issuer}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  const api = (t: Tenant, method: string, path: string, body?: unknown, token = t.apiToken) =>
    fetch(`${t.issuer}/logout-sessions/rest/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  /** The ids (sid hashes) of alice's sessions, from the session store API. */
  const sessionsOfAlice = async (t: Tenant) => {
    const res = await fetch(`${t.issuer}/session-store/rest/v2/sessions?subject=alice`, {
      headers: { authorization: `Bearer ${t.apiToken}` },
    });
    expect(res.status).toBe(200);
    return Object.keys((await res.json()) as Record<string, unknown>);
  };
  const discover = (t: Tenant) =>
    oidc.discovery(new URL(t.issuer), t.app.clientId, undefined, oidc.ClientSecretBasic(t.app.secret), {
      execute: [oidc.allowInsecureRequests],
    });

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    a = await tenant('logout-a');
    b = await tenant('logout-b');
  }, 90_000);
  afterAll(async () => planes.close());

  it('advertises the end-session endpoint and front-channel logout', async () => {
    const m = (await discover(a)).serverMetadata();
    expect(m.end_session_endpoint).toBe(`${a.issuer}/logout`);
    expect(m.frontchannel_logout_supported).toBe(true);
    expect(m.frontchannel_logout_session_supported).toBe(true);
  });

  it("openid-client's end-session URL: prompt, confirmation, 303 to the registered URI with state; the session is gone", async () => {
    const { idToken, sid, jar } = await signIn(a);
    expect(await sessionsOfAlice(a)).toContain(sid);
    const state = oidc.randomState();
    const url = oidc.buildEndSessionUrl(await discover(a), {
      id_token_hint: idToken,
      post_logout_redirect_uri: BYE,
      state,
    });
    expect(url.origin + url.pathname).toBe(`${a.issuer}/logout`);

    const page = await get(url, jar);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Sign out of all applications?');
    // The confirmation's answer redirects there, so the form may go there (Chromium applies form-action to redirects).
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self' http://localhost:3000;");
    const browser = keep(jar, page);
    // Nothing ends before the end-user confirms.
    expect(await sessionsOfAlice(a)).toContain(sid);

    const forged = await post(a, '/logout/confirm', browser, {
      sid: formField(html, 'sid')!,
      csrf: 'x'.repeat(43),
      decision: 'all',
    });
    expect(forged.status).toBe(403);
    expect(await sessionsOfAlice(a)).toContain(sid);

    const confirmed = await post(a, '/logout/confirm', browser, {
      sid: formField(html, 'sid')!,
      csrf: formField(html, 'csrf')!,
      decision: 'all',
    });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe(`${BYE}?state=${state}`);
    const after = keep(browser, confirmed);
    const sso = Object.keys(jar).find((name) => name.startsWith('tessera_sso'))!;
    expect(after[sso]).toBeUndefined();
    expect(await sessionsOfAlice(a)).not.toContain(sid);

    // prompt=none with the cookie the browser had (as if it had kept it): the session is gone on the server.
    const silent = await get(
      `${a.issuer}/login?${new URLSearchParams({
        response_type: 'code',
        client_id: a.app.clientId,
        redirect_uri: REDIRECT,
        scope: 'openid',
        prompt: 'none',
        state: 'st',
      })}`,
      jar,
    );
    const back = new URL(String(silent.headers.get('location')));
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('error')).toBe('login_required');
  });

  it('never redirects to an unregistered post_logout_redirect_uri, nor without a client to match it against', async () => {
    const { idToken, sid, jar } = await signIn(a);
    const queries: Record<string, string>[] = [
      { id_token_hint: idToken, post_logout_redirect_uri: 'http://localhost:3000/elsewhere', state: 's' },
      { client_id: a.app.clientId, post_logout_redirect_uri: 'https://evil.example/bye' },
      { post_logout_redirect_uri: BYE },
    ];
    for (const query of queries) {
      const res = await get(`${a.issuer}/logout?${new URLSearchParams(query)}`, jar);
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      const html = await res.text();
      expect(html).toContain('invalid_request');
      expect(html).not.toContain('name="csrf"');
    }
    expect(await sessionsOfAlice(a)).toContain(sid);
  });

  it('without a session, a request with a registered redirect still goes there; without one, a signed-out page', async () => {
    const res = await get(
      `${a.issuer}/logout?${new URLSearchParams({ client_id: a.app.clientId, post_logout_redirect_uri: BYE, state: 'z' })}`,
      {},
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${BYE}?state=z`);
    const page = await get(`${a.issuer}/logout?ui_locales=de`, {});
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Sie sind abgemeldet');
  });

  it('front-channel: the end page frames the logout URI with iss and sid, the CSP allowing exactly its origin', async () => {
    // One session with two relying parties: the hosted sign-in to app, then fcApp through the authorisation session API.
    const { sid, jar } = await signIn(a);
    const sso = Object.entries(jar).find(([name]) => name.startsWith('tessera_sso'))![1];
    const second = await completeFlow(
      a.issuer,
      a.apiToken,
      new URLSearchParams({
        response_type: 'code',
        client_id: a.fcApp.clientId,
        redirect_uri: REDIRECT,
        scope: 'openid',
      }).toString(),
      { subSid: sso },
    );
    expect(second.final.type).toBe('response');

    const page = await get(
      `${a.issuer}/logout?${new URLSearchParams({ client_id: a.fcApp.clientId, post_logout_redirect_uri: BYE, state: 'f1' })}`,
      jar,
    );
    const html = await page.text();
    expect(html).toContain('FC App');
    const browser = keep(jar, page);
    const end = await post(a, '/logout/confirm', browser, {
      sid: formField(html, 'sid')!,
      csrf: formField(html, 'csrf')!,
      decision: 'all',
    });
    expect(end.status).toBe(200);
    const endHtml = await end.text();
    const frames = [...endHtml.matchAll(/<iframe src="([^"]+)"/g)].map((m) => new URL(m[1]!.replaceAll('&amp;', '&')));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.origin + frames[0]!.pathname).toBe(FC);
    expect(Object.fromEntries(frames[0]!.searchParams)).toEqual({ iss: a.issuer, sid });
    expect(end.headers.get('content-security-policy')).toMatch(/; frame-src http:\/\/localhost:4000$/);
    // Then on to the registered URI with the state.
    expect(endHtml).toContain(`data-next="${BYE}?state=f1"`);
    expect(await sessionsOfAlice(a)).not.toContain(sid);
  });

  it('the logout session API: prompt, decision, end message; unknown and used ids are 404', async () => {
    const login = await completeFlow(
      a.issuer,
      a.apiToken,
      new URLSearchParams({
        response_type: 'code',
        client_id: a.app.clientId,
        redirect_uri: REDIRECT,
        scope: 'openid',
      }).toString(),
    );
    const subSid = login.final.sub_sid!;
    const query = new URLSearchParams({ client_id: a.app.clientId, post_logout_redirect_uri: BYE, state: 'q1' });
    const started = await api(a, 'POST', '', { query: query.toString(), sub_sid: subSid });
    expect(started.status).toBe(200);
    const prompt = (await started.json()) as Record<string, unknown>;
    expect(prompt).toMatchObject({
      type: 'confirm',
      client: { client_id: a.app.clientId, name: 'App' },
      sub_session: { sub: 'alice', rps: [a.app.clientId] },
      id_token_hint_present: false,
    });
    const decided = await api(a, 'PUT', `/${prompt.sid}`, { op_logout: true });
    expect(decided.status).toBe(200);
    expect(await decided.json()).toEqual({
      type: 'end',
      sub_session_closed: true,
      frontchannel_logout_uris: [],
      post_logout_redirect_uri: `${BYE}?state=q1`,
    });
    for (const sid of [prompt.sid, 'unknown-logout-session-id']) {
      const res = await api(a, 'PUT', `/${sid}`, { op_logout: true });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: 'invalid_session' });
    }
    expect((await api(a, 'PUT', `/${prompt.sid}`, { op_logout: 'yes' })).status).toBe(400);
    expect((await api(a, 'POST', '', { query: '' }, 'not-the-token')).status).toBe(401);
    // A request that cannot be trusted: an error message, never a redirect.
    const refused = await api(a, 'POST', '', { query: 'id_token_hint=a.b.c', sub_sid: null });
    expect(await refused.json()).toMatchObject({ type: 'error', error: 'invalid_id_token_hint' });
  });

  it('OP-initiated logout (no query) ends the session without a prompt', async () => {
    const { sid, jar } = await signIn(a);
    const sso = Object.entries(jar).find(([name]) => name.startsWith('tessera_sso'))![1];
    const res = await api(a, 'POST', '', { sub_sid: sso });
    expect(await res.json()).toEqual({
      type: 'end',
      sub_session_closed: true,
      frontchannel_logout_uris: [],
      post_logout_redirect_uri: null,
    });
    expect(await sessionsOfAlice(a)).not.toContain(sid);
  });

  it("cross-tenant: tenant A's id_token_hint, session id and logout session id end nothing at tenant B", async () => {
    const { idToken, sid, jar } = await signIn(a);
    const sso = Object.entries(jar).find(([name]) => name.startsWith('tessera_sso'))![1];
    // A's hint at B: not B's.
    const hinted = await api(b, 'POST', '', { query: `id_token_hint=${idToken}`, sub_sid: sso });
    expect(await hinted.json()).toMatchObject({ type: 'error', error: 'invalid_id_token_hint' });
    // A's SSO session id at B: no session there.
    const op = await api(b, 'POST', '', { sub_sid: sso });
    expect(await op.json()).toMatchObject({ type: 'end', sub_session_closed: false });
    // A's logout session id at B: unknown.
    const started = (await (await api(a, 'POST', '', { query: '', sub_sid: sso })).json()) as { sid: string };
    expect((await api(b, 'PUT', `/${started.sid}`, { op_logout: true })).status).toBe(404);
    expect(await sessionsOfAlice(a)).toContain(sid);
    // A's own API still ends it.
    expect(await (await api(a, 'PUT', `/${started.sid}`, { op_logout: true })).json()).toMatchObject({
      sub_session_closed: true,
    });
    expect(await sessionsOfAlice(a)).not.toContain(sid);
  });
});
