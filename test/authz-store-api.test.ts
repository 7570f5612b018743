import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const BASE = '/authz-store/rest/v3';

type Tokens = { access_token: string; refresh_token?: string };
type Who = 'a' | 'b';

describe('authorisation store API (/authz-store/rest/v3)', () => {
  let planes: InProcessPlanes;
  const t = {} as Record<Who, { tid: string; issuer: string; apiToken: string }>;
  const clients: Record<'c1' | 'c2', { clientId: string; secret: string }> = {} as never;
  /** Tokens of the long-lived authorisations made in beforeAll, by `${sub}/${client}`. */
  const grants: Record<string, Tokens> = {};

  const api = (
    method: 'GET' | 'PUT' | 'DELETE' | 'POST',
    path: string,
    options: {
      who?: Who;
      token?: string | null;
      query?: Record<string, string>;
      json?: unknown;
      form?: Record<string, string>;
      raw?: string;
    } = {},
  ) => {
    const who = options.who ?? 'a';
    const token = options.token === undefined ? t[who].apiToken : options.token;
    const query = options.query ? `?${new URLSearchParams(options.query)}` : '';
    const headers: Record<string, string> = { 'tenant-id': t[who].tid };
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (options.json !== undefined || options.raw !== undefined) {
      headers['content-type'] = 'application/json';
      payload = options.raw ?? JSON.stringify(options.json);
    } else if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(options.form).toString();
    }
    return planes.dp.app.inject({
      method,
      url: `${BASE}${path}${query}`,
      headers,
      ...(payload !== undefined ? { payload } : {}),
    });
  };
  const direct = async (client: 'c1' | 'c2', body: Record<string, unknown>): Promise<Tokens> => {
    const res = await planes.dp.app.inject({
      method: 'POST',
      url: '/direct-authz/rest/v2',
      headers: { 'tenant-id': t.a.tid, authorization: `Bearer ${t.a.apiToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ client_id: clients[client].clientId, scope: ['read', 'write'], ...body }),
    });
    expect(res.statusCode).toBe(200);
    return res.json() as Tokens;
  };
  const oauth = (client: 'c1' | 'c2', path: string, params: Record<string, string>) =>
    planes.dp.app.inject({
      method: 'POST',
      url: path,
      headers: {
        'tenant-id': t.a.tid,
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(clients[client].clientId, clients[client].secret),
      },
      payload: new URLSearchParams(params).toString(),
    });
  const introspect = async (client: 'c1' | 'c2', token: string) =>
    (await oauth(client, '/token/introspect', { token })).json() as { active: boolean };
  const refresh = (client: 'c1' | 'c2', token: string) =>
    oauth(client, '/token', { grant_type: 'refresh_token', refresh_token: token });
  const cid = (client: 'c1' | 'c2') => clients[client].clientId;
  const sorted = (values: string[]) => [...values].sort();

  beforeAll(async () => {
    planes = await startInProcessPlanes({
      passwordAuthenticator: {
        authenticate: async (_tid, username, password) =>
          username === 'alice' && password === 'wonderland' ? { sub: 'alice' } : null,
      },
    });
    for (const who of ['a', 'b'] as const) {
      const tid = uniqueTid(`azs-${who}`);
      const issuer = `https://${tid}.example.com`;
      const { apiToken } = await planes.createTenant({
        tid,
        name: tid,
        issuer,
        config: { grants: { grantTypes: ['client_credentials', 'refresh_token', 'password'], responseTypes: [] } },
      });
      t[who] = { tid, issuer, apiToken };
    }
    for (const name of ['c1', 'c2'] as const) {
      const { clientId, secret } = await addClient(planes.s, t.a.tid, {
        grant_types: ['client_credentials', 'refresh_token', 'password'],
        scope: 'read write',
      });
      clients[name] = { clientId, secret: secret! };
    }
    await addClient(planes.s, t.b.tid, { grant_types: ['client_credentials'] });
    for (const sub of ['alice', 'bob']) {
      for (const client of ['c1', 'c2'] as const) {
        grants[`${sub}/${client}`] = await direct(client, {
          sub,
          long_lived: true,
          refresh_token: { issue: true },
          ...(sub === 'alice' && client === 'c1'
            ? {
                claims: ['email', 'email_verified'],
                audience: ['https://api.example.com'],
                data: { role: 'admin' },
                preset_claims: { userinfo: { groups: ['g1'] } },
              }
            : {}),
        });
      }
    }
  }, 60_000);
  afterAll(async () => planes?.close());

  it('lists the long-lived authorisations of a subject, of a client, and of both, in short-member form', async () => {
    const bySubject = await api('GET', '/authorizations', { query: { subject: 'alice' } });
    expect(bySubject.statusCode).toBe(200);
    expect(bySubject.headers['cache-control']).toBe('no-store');
    const list = bySubject.json() as Array<Record<string, unknown>>;
    expect(sorted(list.map((a) => a.cid as string))).toEqual(sorted([cid('c1'), cid('c2')]));
    const full = list.find((a) => a.cid === cid('c1'))!;
    expect(full).toMatchObject({
      sub: 'alice',
      cid: cid('c1'),
      scp: ['read', 'write'],
      clm: ['email', 'email_verified'],
      aud: ['https://api.example.com'],
      uip: { groups: ['g1'] },
      dat: { role: 'admin' },
      irt: true,
      rtl: 0,
      rtm: 0,
      rtr: false,
      lng: true,
      iss: t.a.issuer,
    });
    expect(typeof full.iat).toBe('number');
    expect(typeof full.uat).toBe('number');
    const plain = list.find((a) => a.cid === cid('c2'))!;
    for (const absent of ['act', 'aud', 'clm', 'cll', 'uip', 'dat', 'idp']) expect(plain).not.toHaveProperty(absent);

    const byClient = (await api('GET', '/authorizations', { query: { client_id: cid('c2') } })).json() as Array<{
      sub: string;
    }>;
    expect(sorted(byClient.map((a) => a.sub))).toEqual(['alice', 'bob']);
    const both = (
      await api('GET', '/authorizations', { query: { subject: 'bob', client_id: cid('c1') } })
    ).json() as Array<{ sub: string; cid: string }>;
    expect(both).toHaveLength(1);
    expect(both[0]).toMatchObject({ sub: 'bob', cid: cid('c1') });
    expect((await api('GET', '/authorizations', { query: { subject: 'nobody' } })).json()).toEqual([]);

    const neither = await api('GET', '/authorizations');
    expect(neither.statusCode).toBe(400);
    expect(neither.json().error).toBe('invalid_request');
    expect((await api('GET', '/authorizations', { query: { subject: 'alice', other: 'x' } })).statusCode).toBe(400);
  });

  it('lists the subjects and the clients having long-lived authorisations', async () => {
    expect((await api('GET', '/subjects')).json()).toEqual(['alice', 'bob']);
    expect((await api('GET', '/subjects', { query: { client_id: cid('c1') } })).json()).toEqual(['alice', 'bob']);
    expect((await api('GET', '/subjects', { query: { client_id: 'unknown' } })).json()).toEqual([]);
    expect((await api('GET', '/clients', { query: { subject: 'alice' } })).json()).toEqual(
      sorted([cid('c1'), cid('c2')]),
    );
    expect((await api('GET', '/clients')).json()).toEqual(sorted([cid('c1'), cid('c2')]));
    expect((await api('GET', '/clients', { query: { subject: 'nobody' } })).json()).toEqual([]);
  });

  it('inspects access and refresh tokens: long-lived, transient, identifier and self-contained; 404 for junk', async () => {
    const at = await api('POST', '/inspection', { form: { access_token: grants['bob/c1']!.access_token } });
    expect(at.statusCode).toBe(200);
    expect(at.json()).toMatchObject({
      sub: 'bob',
      cid: cid('c1'),
      scp: ['read', 'write'],
      irt: true,
      lng: true,
      iss: t.a.issuer,
    });
    const rt = await api('POST', '/inspection', { form: { refresh_token: grants['bob/c1']!.refresh_token! } });
    expect(rt.statusCode).toBe(200);
    expect(rt.json()).toEqual(at.json());

    // a transient authorisation with an identifier access token: the record it carries
    const identifier = await direct('c2', { sub: 'carol', access_token: { encoding: 'IDENTIFIER' }, data: { k: 'v' } });
    const carol = await api('POST', '/inspection', { form: { access_token: identifier.access_token } });
    expect(carol.statusCode).toBe(200);
    expect(carol.json()).toMatchObject({
      sub: 'carol',
      cid: cid('c2'),
      scp: ['read', 'write'],
      dat: { k: 'v' },
      irt: false,
      att: 'IDENTIFIER',
      lng: false,
    });
    // a transient self-contained one: what the JWT carries
    const jwt = await direct('c2', { sub: 'carol', claims: ['email'] });
    expect((await api('POST', '/inspection', { form: { access_token: jwt.access_token } })).json()).toMatchObject({
      sub: 'carol',
      clm: ['email'],
      lng: false,
    });
    // a transient (JWE) refresh token from the password grant
    const password = (
      await oauth('c2', '/token', { grant_type: 'password', username: 'alice', password: 'wonderland', scope: 'read' })
    ).json() as Tokens;
    expect(password.refresh_token!.split('.')).toHaveLength(5);
    expect(
      (await api('POST', '/inspection', { form: { refresh_token: password.refresh_token! } })).json(),
    ).toMatchObject({ sub: 'alice', cid: cid('c2'), scp: ['read'], lng: false });

    const junk: Array<Record<string, string>> = [
      { access_token: 'junk' },
      { refresh_token: 'junk' },
      { refresh_token: 'a.b.c.d.e' },
      { access_token: grants['bob/c1']!.refresh_token! },
    ];
    for (const form of junk) {
      const res = await api('POST', '/inspection', { form });
      expect(res.statusCode).toBe(404);
      expect(res.json().error).toBe('not_found');
    }
    const both = await api('POST', '/inspection', { form: { access_token: 'x', refresh_token: 'y' } });
    expect(both.statusCode).toBe(400);
    expect(both.json().error).toBe('invalid_request');
    expect((await api('POST', '/inspection', { form: {} })).statusCode).toBe(400);
    expect((await api('POST', '/inspection', { form: { auth_req_id: 'x' } })).statusCode).toBe(400);
  });

  it('replaces an authorisation with PUT (and creates one), keeping its refresh tokens working', async () => {
    const res = await api('PUT', '/authorizations', {
      json: { sub: 'alice', cid: cid('c1'), scp: ['read'], dat: { role: 'viewer' }, irt: true },
    });
    expect(res.statusCode).toBe(200);
    const replaced = res.json() as Record<string, unknown>;
    expect(replaced).toMatchObject({
      sub: 'alice',
      cid: cid('c1'),
      scp: ['read'],
      dat: { role: 'viewer' },
      irt: true,
      lng: true,
      iss: t.a.issuer,
    });
    for (const gone of ['clm', 'aud', 'uip']) expect(replaced).not.toHaveProperty(gone);
    const listed = (await api('GET', '/authorizations', { query: { subject: 'alice', client_id: cid('c1') } })).json();
    expect(listed).toEqual([replaced]);
    expect((replaced.uat as number) >= (replaced.iat as number)).toBe(true);

    // an object read from the API can be sent back as it is
    const again = await api('PUT', '/authorizations', { json: { ...replaced, scp: ['read', 'write'] } });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ scp: ['read', 'write'], iat: replaced.iat });
    // the existing refresh token now refreshes under the replaced authorisation
    const refreshed = await refresh('c1', grants['alice/c1']!.refresh_token!);
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json().scope).toBe('read write');

    const created = await api('PUT', '/authorizations', {
      json: {
        sub: 'dora',
        cid: cid('c2'),
        scp: ['read'],
        act: { sub: 'admin' },
        rtl: 3600,
        rtr: true,
        atl: 120,
        att: 'IDENTIFIER',
      },
    });
    expect(created.statusCode).toBe(200);
    expect(created.json()).toMatchObject({
      sub: 'dora',
      act: { sub: 'admin' },
      irt: false,
      rtl: 3600,
      rtr: true,
      atl: 120,
      att: 'IDENTIFIER',
    });
    expect((await api('GET', '/subjects', { query: { client_id: cid('c2') } })).json()).toEqual([
      'alice',
      'bob',
      'dora',
    ]);
  });

  it('rejects bad PUT bodies with 400', async () => {
    const cases: unknown[] = [
      { sub: 'alice', cid: cid('c1'), scp: ['read'], unknown_member: 1 },
      { sub: 'alice', cid: cid('c1') },
      { sub: 'alice', scp: ['read'] },
      { sub: 'alice', cid: cid('c1'), scp: 'read' },
      { sub: 'alice', cid: cid('c1'), scp: ['read'], irt: 'true' },
      { sub: 'alice', cid: cid('c1'), scp: ['read'], lng: false },
      { sub: 'alice', cid: 'no-such-client', scp: ['read'] },
      { sub: 'alice', cid: cid('c1'), scp: ['read'], iss: 'https://elsewhere.example.com' },
    ];
    for (const json of cases) {
      const res = await api('PUT', '/authorizations', { json });
      expect(res.statusCode, JSON.stringify(json)).toBe(400);
      expect(res.json().error).toBe('invalid_request');
    }
    const malformed = await api('PUT', '/authorizations', { raw: '{"sub": ' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error_description).toMatch(/^Bad request/);
  });

  it('deletes one authorisation: its access tokens turn inactive and its refresh token fails', async () => {
    const { access_token, refresh_token } = grants['bob/c2']!;
    expect((await introspect('c2', access_token)).active).toBe(true);
    const res = await api('DELETE', '/authorizations', { query: { subject: 'bob', client_id: cid('c2') } });
    expect(res.statusCode).toBe(204);
    expect(await introspect('c2', access_token)).toEqual({ active: false });
    const refreshed = await refresh('c2', refresh_token!);
    expect(refreshed.statusCode).toBe(400);
    expect(refreshed.json().error).toBe('invalid_grant');
    expect((await api('POST', '/inspection', { form: { refresh_token: refresh_token! } })).statusCode).toBe(404);
    expect((await api('GET', '/authorizations', { query: { subject: 'bob' } })).json()).toHaveLength(1);
    // others are untouched
    expect((await introspect('c2', grants['alice/c2']!.access_token)).active).toBe(true);

    const again = await api('DELETE', '/authorizations', { query: { subject: 'bob', client_id: cid('c2') } });
    expect(again.statusCode).toBe(404);
    expect(again.json().error).toBe('not_found');
    expect((await api('DELETE', '/authorizations', { query: { subject: 'bob' } })).statusCode).toBe(400);
  });

  it('revokes by client: 200 with the deleted authorisations, then 204; tokens of that client die', async () => {
    const res = await api('POST', '/revocation', { form: { client_id: cid('c1') } });
    expect(res.statusCode).toBe(200);
    const deleted = res.json() as Array<{ sub: string; cid: string }>;
    expect(sorted(deleted.map((a) => a.sub))).toEqual(['alice', 'bob']);
    expect(deleted.every((a) => a.cid === cid('c1'))).toBe(true);
    expect((await introspect('c1', grants['bob/c1']!.access_token)).active).toBe(false);
    expect((await refresh('c1', grants['bob/c1']!.refresh_token!)).json().error).toBe('invalid_grant');
    expect((await api('GET', '/clients', { query: { subject: 'alice' } })).json()).toEqual([cid('c2')]);

    const again = await api('POST', '/revocation', { form: { client_id: cid('c1') } });
    expect(again.statusCode).toBe(204);
    expect(again.body).toBe('');
  });

  it('revokes quietly, honours a past timestamp, and rejects actor, future timestamps and missing targets', async () => {
    const quiet = await api('POST', '/revocation?quiet=true', { form: { subject: 'dora' } });
    expect(quiet.statusCode).toBe(204);
    expect((await api('GET', '/authorizations', { query: { subject: 'dora' } })).json()).toEqual([]);

    // a revocation as of an hour ago leaves the authorisations and tokens issued since
    const erin = await direct('c2', { sub: 'erin', long_lived: true, refresh_token: { issue: true } });
    const past = await api('POST', '/revocation', {
      form: { subject: 'erin', timestamp: String(Math.floor(Date.now() / 1000) - 3600) },
    });
    expect(past.statusCode).toBe(204);
    expect((await api('GET', '/authorizations', { query: { subject: 'erin' } })).json()).toHaveLength(1);
    expect((await introspect('c2', erin.access_token)).active).toBe(true);
    expect((await refresh('c2', erin.refresh_token!)).statusCode).toBe(200);
    // as of now it takes them
    const now = await api('POST', '/revocation', {
      form: { subject: 'erin', timestamp: String(Math.floor(Date.now() / 1000)) },
    });
    expect(now.statusCode).toBe(200);
    expect(now.json()).toMatchObject([{ sub: 'erin', cid: cid('c2') }]);
    expect((await introspect('c2', erin.access_token)).active).toBe(false);

    const rejected: Array<Record<string, string>> = [
      { subject: 'alice', actor: 'admin' },
      { subject: 'alice', timestamp: String(Math.floor(Date.now() / 1000) + 3600) },
      { subject: 'alice', timestamp: 'soon' },
      {},
      { actor: 'admin' },
    ];
    for (const form of rejected) {
      const res = await api('POST', '/revocation', { form });
      expect(res.statusCode, JSON.stringify(form)).toBe(400);
      expect(res.json().error).toBe('invalid_request');
    }
    // nothing of alice at c2 was revoked by the rejected requests
    expect((await introspect('c2', grants['alice/c2']!.access_token)).active).toBe(true);
  });

  it('keeps tenants apart and requires the API token', async () => {
    const foreign = await api('GET', '/authorizations', { query: { subject: 'alice' }, token: t.b.apiToken });
    expect(foreign.statusCode).toBe(401);
    expect(foreign.json().error).toBe('invalid_token');
    expect((await api('GET', '/authorizations', { who: 'b', query: { subject: 'alice' } })).json()).toEqual([]);
    expect((await api('GET', '/subjects', { who: 'b' })).json()).toEqual([]);
    expect(
      (await api('POST', '/inspection', { who: 'b', form: { access_token: grants['alice/c2']!.access_token } }))
        .statusCode,
    ).toBe(404);
    expect(
      (await api('POST', '/inspection', { who: 'b', form: { refresh_token: grants['alice/c2']!.refresh_token! } }))
        .statusCode,
    ).toBe(404);
    expect(
      (await api('DELETE', '/authorizations', { who: 'b', query: { subject: 'alice', client_id: cid('c2') } }))
        .statusCode,
    ).toBe(404);
    expect((await api('POST', '/revocation', { who: 'b', form: { subject: 'alice' } })).statusCode).toBe(204);
    expect((await api('GET', '/authorizations', { query: { subject: 'alice' } })).json()).toHaveLength(1);

    for (const [method, path] of [
      ['GET', '/authorizations'],
      ['GET', '/subjects'],
      ['GET', '/clients'],
      ['PUT', '/authorizations'],
      ['DELETE', '/authorizations'],
      ['POST', '/revocation'],
      ['POST', '/inspection'],
    ] as const) {
      const res = await api(method, path, { token: null });
      expect(res.statusCode, `${method} ${path}`).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.json().error).toBe('missing_token');
    }
  });
});
