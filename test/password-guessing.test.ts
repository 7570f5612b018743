import { createHash, randomBytes } from 'node:crypto';
import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import { buildDataPlane, type DataPlane } from '@tessera/data-plane/server';
import { createRedis } from '@tessera/shared/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { basicAuth } from './support/issuer-http.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const FORM = 'application/x-www-form-urlencoded';
const REDIRECT = 'https://app.example.com/callback';

/**
 * The online password guessing brake (data-plane/src/brakes), over HTTP on a
 * listening data-plane node that trusts 127.0.0.1 as its proxy, so each test
 * speaks from an address of its own (X-Forwarded-For, TEST-NET addresses).
 * The hosted sign-in page checks passwords in the real user directory; the
 * password grant goes through a counting password handler, so the tests see
 * how many passwords were actually checked.
 */
describe('password guessing brake (hosted sign-in and password grant)', () => {
  let planes: InProcessPlanes;
  let dp: DataPlane;
  let subscriber: Redis;
  let base: string;
  let tid: string;
  let confidential: { clientId: string; secret: string };
  let registrationToken: string;
  const checked: string[] = [];
  const alicePassword = randomBytes(12).toString('base64url');

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    tid = uniqueTid('guess');
    const created = await planes.createTenant({
      tid,
      name: tid,
      issuer: `https://${tid}.example.com`,
      // The brake is under test, not the plan: the free plan's token rate limit (20/s) would answer first.
      plan: 'enterprise',
      config: { grants: { grantTypes: ['authorization_code', 'refresh_token', 'password'], responseTypes: ['code'] } },
    });
    registrationToken = created.apiToken;
    const directory = new PostgresUserDirectory(planes.s.db);
    await directory.create(tid, { username: 'mallory', sub: 'mallory', password: 'the-right-one' });
    const { clientId, secret } = await addClient(planes.s, tid, {
      grant_types: ['authorization_code', 'password'],
      response_types: ['code'],
      redirect_uris: [REDIRECT],
      scope: 'openid read',
    });
    confidential = { clientId, secret: secret! };
    subscriber = createRedis(planes.s.settings.redisUrl, planes.s.settings.redisPrefix);
    dp = buildDataPlane({
      settings: { ...planes.s.settings, trustedProxies: ['127.0.0.1'] },
      db: planes.s.db,
      redis: planes.s.redis,
      subscriber,
      keyStores: planes.s.keyStores,
      masterKey: planes.s.masterKey,
      passwordAuthenticator: {
        authenticate: async (_tid, username, password) => {
          checked.push(username);
          return username === 'alice' && password === alicePassword ? { sub: 'alice' } : null;
        },
      },
    });
    await dp.sync.start();
    base = await dp.app.listen({ host: '127.0.0.1', port: 0 });
  }, 60_000);
  afterAll(async () => {
    await dp?.app.close();
    subscriber?.disconnect();
    await planes?.close();
  });

  /** An address of TEST-NET-3 per test: the brake counts per source. */
  const from = (n: number) => ({ 'x-forwarded-for': `198.51.100.7, 203.0.113.${n}` });

  /** The hosted sign-in page of a fresh authorisation request: its form fields and the browser cookie. */
  async function signInPage(headers: Record<string, string>) {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: confidential.clientId,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 's',
      code_challenge: createHash('sha256').update('v'.repeat(43)).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const res = await fetch(`${base}/login?${query}`, {
      headers: { 'tenant-id': tid, ...headers },
      redirect: 'manual',
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    const field = (name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))![1]!;
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    return (username: string, password: string) =>
      fetch(`${base}/login/authenticate`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'tenant-id': tid, 'content-type': FORM, cookie, ...headers },
        body: new URLSearchParams({ sid: field('sid'), csrf: field('csrf'), username, password }),
      });
  }

  const passwordGrant = (username: string, password: string, headers: Record<string, string>) =>
    fetch(`${base}/token`, {
      method: 'POST',
      headers: {
        'tenant-id': tid,
        'content-type': FORM,
        authorization: basicAuth(confidential.clientId, confidential.secret),
        ...headers,
      },
      body: new URLSearchParams({ grant_type: 'password', username, password, scope: 'read' }),
    });

  it('checks at most 10 of 40 parallel sign-in guesses, then refuses the right password unchecked (429)', async () => {
    const attempt = await signInPage(from(1));
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => attempt('mallory', `guess-${i}`)));
    const statuses = answers.map((a) => a.status);
    // 401: the password was checked and wrong; 429: refused before any check
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);

    const right = await attempt('mallory', 'the-right-one');
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await right.text()).toContain('Too many failed attempts');

    // Locked out at the guessing address only: the real user elsewhere still gets in.
    const elsewhere = await (await signInPage(from(2)))('mallory', 'the-right-one');
    expect(elsewhere.status).toBe(200);
    expect(await elsewhere.text()).toContain('name="decision"'); // signed in: the consent page
  });

  it('refuses the password grant after 10 wrong passwords for a username: 15 wrong, then the right one', async () => {
    const before = checked.length;
    for (let i = 0; i < 15; i++) {
      const wrong = await passwordGrant('alice', `guess-${i}`, from(3));
      expect(wrong.status).toBe(400);
      expect(((await wrong.json()) as { error: string }).error).toBe('invalid_grant');
    }
    const right = await passwordGrant('alice', alicePassword, from(3));
    expect(right.status).toBe(400);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await right.json()).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringContaining('Too many'),
    });
    expect(checked.length - before).toBe(10);

    // the same handler from another address: alice is not locked out everywhere
    expect((await passwordGrant('alice', alicePassword, from(4))).status).toBe(200);
  });

  it('refuses a source after 100 password checks over many usernames (spraying)', async () => {
    const before = checked.length;
    for (let i = 0; i < 100; i++) expect((await passwordGrant(`user-${i}`, 'Spring2026!', from(5))).status).toBe(400);
    expect(checked.length - before).toBe(100);
    const next = await passwordGrant('alice', alicePassword, from(5));
    expect(await next.json()).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringContaining('Too many'),
    });
    expect(checked.length - before).toBe(100);
    expect((await passwordGrant('alice', alicePassword, from(6))).status).toBe(200);
  });

  it('counts only failures against a password-grant client\u2019s source: its server signs in all its users', async () => {
    for (let i = 0; i < 110; i++) expect((await passwordGrant('alice', alicePassword, from(7))).status).toBe(200);
  });

  it('does not believe an X-Forwarded-For from an untrusted peer', async () => {
    // planes.dp trusts no proxy: every guess comes from 127.0.0.1, whatever the header says
    const grant = (password: string, n: number) =>
      planes.dp.app.inject({
        method: 'POST',
        url: '/token',
        headers: {
          'tenant-id': tid,
          'content-type': FORM,
          authorization: basicAuth(confidential.clientId, confidential.secret),
          'x-forwarded-for': `203.0.113.${100 + n}`,
        },
        payload: new URLSearchParams({
          grant_type: 'password',
          username: 'mallory',
          password,
          scope: 'read',
        }).toString(),
      });
    for (let i = 0; i < 10; i++)
      expect((await grant(`guess-${i}`, i)).json()).toMatchObject({
        error_description: 'Invalid resource owner credentials',
      });
    expect((await grant('the-right-one', 11)).json()).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringContaining('Too many'),
    });
  });

  it('refuses to register a public client for the password grant', async () => {
    const register = (body: Record<string, unknown>) =>
      dp.app.inject({
        method: 'POST',
        url: '/clients',
        headers: { 'tenant-id': tid, authorization: `Bearer ${registrationToken}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
    const pub = await register({ grant_types: ['password'], response_types: [], token_endpoint_auth_method: 'none' });
    expect(pub.statusCode).toBe(400);
    expect(pub.json()).toMatchObject({
      error: 'invalid_client_metadata',
      error_description: expect.stringContaining('password'),
    });
    expect((await register({ grant_types: ['password'], response_types: [] })).statusCode).toBe(201);
  });
});
