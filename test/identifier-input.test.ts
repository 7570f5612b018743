import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const FORM = 'application/x-www-form-urlencoded';
const REDIRECT = 'https://app.example/cb';
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
/** Identifiers PostgreSQL cannot store (NUL), or that no identifier of ours contains (other C0 controls, DEL). */
const UNPRINTABLE = ['\u0000', 'a\u0000b', 'c\u0001', '\u001f', 'x\u007f'];

/**
 * Finding 10: a NUL (or other C0 control) in a client id, username or sub
 * reached PostgreSQL, which refuses it, and the request ended in a 500 with a
 * stack trace in the error log. Such identifiers are now refused or simply
 * not found before any query, and any database encoding error that still
 * comes back is a 400, never a 500.
 */
describe('identifiers with control characters', () => {
  let planes: InProcessPlanes;
  let tid: string;
  let base: string;
  let apiToken: string;
  let client: { clientId: string; secret: string };
  const headers = () => ({ 'tenant-id': tid });

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    tid = uniqueTid('nul');
    base = planes.dataPlaneUrl;
    ({ apiToken } = await planes.createTenant({
      tid,
      name: tid,
      issuer: `https://${tid}.example.com`,
      config: {
        grants: { grantTypes: ['authorization_code', 'client_credentials', 'password'], responseTypes: ['code'] },
      },
    }));
    const created = await addClient(planes.s, tid, {
      grant_types: ['authorization_code', 'client_credentials', 'password'],
      response_types: ['code'],
      redirect_uris: [REDIRECT],
      scope: 'openid read',
    });
    client = { clientId: created.clientId, secret: created.secret! };
  }, 60_000);
  afterAll(async () => {
    await planes?.close();
  });

  const expectClientError = async (res: Response, what: string) => {
    expect(res.status, what).toBeGreaterThanOrEqual(400);
    expect(res.status, what).toBeLessThan(500);
    expect(await res.text(), what).not.toMatch(/\n\s+at |\.ts:\d+/);
  };

  it('/token: a client id with a control character is an unknown client (client_secret_post, client_secret_basic, the password grant username)', async () => {
    for (const id of UNPRINTABLE) {
      const post = await fetch(`${base}/token`, {
        method: 'POST',
        headers: { ...headers(), 'content-type': FORM },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: 'x' }),
      });
      expect(post.status, JSON.stringify(id)).toBe(401);
      expect(await post.json()).toMatchObject({ error: 'invalid_client' });
      const viaBasic = await fetch(`${base}/token`, {
        method: 'POST',
        headers: { ...headers(), 'content-type': FORM, authorization: basic(id, 'x') },
        body: 'grant_type=client_credentials',
      });
      expect(viaBasic.status, JSON.stringify(id)).toBe(401);
      const password = await fetch(`${base}/token`, {
        method: 'POST',
        headers: { ...headers(), 'content-type': FORM, authorization: basic(client.clientId, client.secret) },
        body: new URLSearchParams({ grant_type: 'password', username: id, password: 'x', scope: 'read' }),
      });
      expect(password.status, JSON.stringify(id)).toBe(400);
      expect(await password.json()).toMatchObject({ error: 'invalid_grant' });
    }
  });

  it('/par and /login: a client id with a control character is refused as unknown', async () => {
    for (const id of UNPRINTABLE) {
      const par = await fetch(`${base}/par`, {
        method: 'POST',
        headers: { ...headers(), 'content-type': FORM },
        body: new URLSearchParams({ client_id: id, client_secret: 'x', response_type: 'code', redirect_uri: REDIRECT }),
      });
      expect(par.status, JSON.stringify(id)).toBe(401);
      expect(await par.json()).toMatchObject({ error: 'invalid_client' });
      const login = await fetch(
        `${base}/login?${new URLSearchParams({ client_id: id, response_type: 'code', redirect_uri: REDIRECT })}`,
        { headers: headers(), redirect: 'manual' },
      );
      await expectClientError(login, `login ${JSON.stringify(id)}`);
    }
  });

  it('/login/authenticate: a username with a control character is a wrong sign-in, not an error', async () => {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 's',
      code_challenge: createHash('sha256').update('v'.repeat(43)).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const page = await fetch(`${base}/login?${query}`, { headers: headers(), redirect: 'manual' });
    expect(page.status).toBe(200);
    const html = await page.text();
    const field = (name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))![1]!;
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const answer = await fetch(`${base}/login/authenticate`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...headers(), 'content-type': FORM, cookie },
      body: new URLSearchParams({ sid: field('sid'), csrf: field('csrf'), username: 'ali\u0000ce', password: 'x' }),
    });
    expect(answer.status).toBe(401);
    expect(await answer.text()).toContain('name="password"'); // the sign-in form again
  });

  it('/clients/{id}, the directory, authorisation store and session store APIs: not found or 400, never 500', async () => {
    const bearer = { ...headers(), authorization: `Bearer ${apiToken}` };
    for (const id of UNPRINTABLE) {
      const e = encodeURIComponent(id);
      await expectClientError(await fetch(`${base}/clients/${e}`, { headers: bearer }), `GET /clients/${e}`);
      await expectClientError(
        await fetch(`${base}/clients/${e}`, { method: 'DELETE', headers: bearer }),
        `DELETE /clients/${e}`,
      );
      await expectClientError(
        await fetch(`${base}/directory/rest/v1/users/${e}`, { headers: bearer }),
        `GET user ${e}`,
      );
      await expectClientError(
        await fetch(`${base}/directory/rest/v1/users`, {
          method: 'POST',
          headers: { ...bearer, 'content-type': 'application/json' },
          body: JSON.stringify({ username: id, password: 'a-long-password', sub: id }),
        }),
        `POST user ${e}`,
      );
      await expectClientError(
        await fetch(`${base}/authz-store/rest/v3/authorizations?subject=${e}`, { headers: bearer }),
        `authz store subject ${e}`,
      );
      await expectClientError(
        await fetch(`${base}/authz-store/rest/v3/authorizations?client_id=${e}`, { headers: bearer }),
        `authz store client ${e}`,
      );
      await expectClientError(
        await fetch(`${base}/session-store/rest/v2/sessions?subject=${e}`, { headers: bearer }),
        `session store ${e}`,
      );
    }
    // A NUL inside JSON the data plane would store (client metadata) is refused too.
    const registered = await fetch(`${base}/clients`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [REDIRECT], client_name: 'a\u0000b' }),
    });
    await expectClientError(registered, 'registration with a NUL in client_name');
  });
});
