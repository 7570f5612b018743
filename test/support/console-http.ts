import { randomBytes } from 'node:crypto';
import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import { loadSettings } from '@tessera/shared/settings';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { addClient } from './clients.ts';
import { uniqueTid } from './env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './planes.ts';

/** An HTML attribute's text as the page escaped it. */
export const unescapeHtml = (s: string) =>
  s
    .replaceAll('&amp;', '&')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>');
const field = (page: string, name: string) =>
  unescapeHtml(page.match(new RegExp(`name="${name}" value="([^"]*)"`))![1]!);
const formAction = (page: string) => unescapeHtml(page.match(/<form method="post" action="([^"]*)"/)![1]!);

/**
 * A browser without a browser: `fetch` with manual redirects and one cookie
 * jar (console and data plane are both 127.0.0.1, and cookies ignore ports).
 */
export class HttpBrowser {
  readonly jar = new Map<string, string>();

  async request(method: 'GET' | 'POST', url: string, form?: Record<string, string>): Promise<Response> {
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }

  /** A request, then every redirect followed (as GET): the final URL and page. */
  async go(method: 'GET' | 'POST', url: string, form?: Record<string, string>) {
    let res = await this.request(method, url, form);
    let at = url;
    for (let hops = 0; res.status >= 300 && res.status < 400; hops++) {
      if (hops > 10) throw new Error(`too many redirects from ${url}`);
      at = new URL(res.headers.get('location')!, at).href;
      res = await this.request('GET', at);
    }
    return { url: at, status: res.status, body: await res.text() };
  }
}

export type ConsoleRole = 'owner' | 'viewer';
/** The operator tenant's users: the two roles, a tenant administrator of `owned`, and a user who is no member. */
export type ConsolePerson = ConsoleRole | 'tadmin' | 'stranger';

/** Planes with the admin console set up at an operator tenant of their own, and its members. */
export interface ConsolePlanes {
  planes: InProcessPlanes;
  consoleUrl: string;
  opTid: string;
  /** The console client at the operator tenant. */
  client: { clientId: string; secret: string };
  /** The resource the console's access tokens are for. */
  audience: string;
  /** A tenant of its own whose administrator `tadmin` is. */
  owned: string;
  people: Record<ConsolePerson, { sub: string; name: string }>;
  /** The control-plane API as the operator. */
  cp(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
  ): Promise<LightMyRequestResponse>;
  /** Signed in to the console as `who`, over HTTP: the console's redirect, the hosted login and consent, the callback. */
  signIn(who: ConsoleRole | 'tadmin'): Promise<HttpBrowser & { csrf: string }>;
}

/**
 * What `tessera console setup` does, as console.browser.test.ts sets it up:
 * the operator tenant, the console client, the control plane as its resource
 * server, the console settings, and an owner, a viewer, a tenant administrator
 * and a stranger who sign in with `password` (a console id of its own, so
 * parallel files do not meet).
 */
export async function startConsolePlanes(password: string): Promise<ConsolePlanes> {
  // A Redis prefix of its own: a file that runs the event relay (console-pages) must not take other files' events.
  const planes = await startInProcessPlanes({
    settings: { consoleId: uniqueTid('console'), redisPrefix: `${loadSettings().redisPrefix}console-${process.pid}:` },
  });
  const consoleUrl = (await planes.cp.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
  const people = {
    owner: { sub: `owner-${randomBytes(4).toString('hex')}`, name: 'Olivia Owner' },
    viewer: { sub: `viewer-${randomBytes(4).toString('hex')}`, name: 'Victor Viewer' },
    tadmin: { sub: `tadmin-${randomBytes(4).toString('hex')}`, name: 'Tess Tenant-Admin' },
    stranger: { sub: `stranger-${randomBytes(4).toString('hex')}`, name: 'Sam Stranger' },
  };
  const cp: ConsolePlanes['cp'] = (method, url, payload) =>
    planes.cp.inject({
      method,
      url,
      headers: { authorization: `Bearer ${planes.s.operatorKey}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  const opTid = uniqueTid('ops');
  const issuer = `${planes.dataPlaneUrl}/${opTid}`;
  await planes.createTenant({ tid: opTid, name: 'Tessera operators', issuer });
  const added = await addClient(planes.s, opTid, {
    client_name: 'Tessera admin console',
    redirect_uris: [`${consoleUrl}/console/callback`],
    post_logout_redirect_uris: [`${consoleUrl}/console/signed-out`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    scope: 'openid profile',
    token_endpoint_auth_method: 'client_secret_basic',
  });
  const audience = `${consoleUrl}/console`;
  const rs = await cp('POST', `/tenants/rest/v1/${opTid}/resource-servers`, {
    identifier: audience,
    name: 'Tessera control plane',
    access_token: { format: 'jwt', profile: 'oauth-1.0' },
    allowed_clients: [added.clientId],
  });
  expect(rs.statusCode, rs.body).toBe(201);
  const directory = new PostgresUserDirectory(planes.s.db);
  for (const [username, p] of Object.entries(people))
    await directory.create(opTid, { username, sub: p.sub, password, claims: { name: p.name } });
  const settings = await cp('PUT', '/console/rest/v1/settings', {
    issuer,
    client_id: added.clientId,
    client_secret: added.secret,
    audience,
    console_url: consoleUrl,
  });
  expect(settings.statusCode, settings.body).toBe(204);
  const owned = uniqueTid('owned');
  await planes.createTenant({ tid: owned, name: 'Owned by Tess', issuer: `${planes.dataPlaneUrl}/${owned}` });
  for (const [who, body] of [
    ['owner', { role: 'owner' }],
    ['viewer', { role: 'viewer' }],
    ['tadmin', { role: 'tenant-admin', tid: owned }],
  ] as const) {
    const res = await cp('PUT', `/console/rest/v1/members/${people[who].sub}`, body);
    expect(res.statusCode, res.body).toBe(200);
  }

  const signIn = async (username: ConsoleRole | 'tadmin') => {
    const browser = new HttpBrowser();
    const login = await browser.go('GET', `${consoleUrl}/console/sign-in`);
    expect(login.url).toContain(`${planes.dataPlaneUrl}/${opTid}/`);
    expect(login.status, login.body).toBe(200);
    const signedIn = await browser.go('POST', new URL(formAction(login.body), login.url).href, {
      sid: field(login.body, 'sid'),
      csrf: field(login.body, 'csrf'),
      username,
      password,
    });
    expect(signedIn.status, signedIn.body).toBe(200);
    expect(signedIn.body).toContain('name="decision"');
    const back = await browser.go('POST', new URL(formAction(signedIn.body), signedIn.url).href, {
      sid: field(signedIn.body, 'sid'),
      csrf: field(signedIn.body, 'csrf'),
      decision: 'allow',
    });
    expect(back.url).toBe(`${consoleUrl}/console/tenants`);
    expect(back.status, back.body).toBe(200);
    const csrf = back.body.match(/<meta name="csrf-token" content="([^"]+)">/)![1]!;
    return Object.assign(browser, { csrf });
  };
  const client = { clientId: added.clientId, secret: added.secret! };
  return { planes, consoleUrl, opTid, client, audience, owned, people, cp, signIn };
}
