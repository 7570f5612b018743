import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import { RedisSubjectSessionStore } from '@tessera/data-plane/stores/subject-session-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { basicAuth } from './support/issuer-http.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

describe('built-in user directory (Postgres)', () => {
  let planes: InProcessPlanes;
  const t: Record<'a' | 'b', { tid: string; apiToken: string }> = {} as never;

  const api = (
    who: 'a' | 'b',
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    token = t[who].apiToken,
  ) =>
    planes.dp.app.inject({
      method,
      url: `/directory/rest/v1/users${url}`,
      headers: {
        'tenant-id': t[who].tid,
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });

  beforeAll(async () => {
    planes = await startInProcessPlanes(); // no password authenticator: the directory is the default
    for (const who of ['a', 'b'] as const) {
      const tid = uniqueTid(`dir-${who}`);
      const { apiToken } = await planes.createTenant({
        tid,
        name: tid,
        issuer: `https://${tid}.example.com`,
        config: {
          grants: { grantTypes: ['authorization_code', 'refresh_token', 'password'], responseTypes: ['code'] },
        },
      });
      t[who] = { tid, apiToken };
    }
  }, 60_000);
  afterAll(async () => planes.close());

  it('creates, reads, lists, patches, replaces and deletes users; never returns the password', async () => {
    const created = await api('a', 'POST', '', {
      username: 'alice',
      password: 'wonderland!',
      sub: 'alice',
      claims: { name: 'Alice Liddell', 'name#fr': 'Alice au pays', email: 'alice@example.com', email_verified: true },
    });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body).toMatchObject({ sub: 'alice', username: 'alice', claims: { 'name#fr': 'Alice au pays' } });
    expect(JSON.stringify(body)).not.toContain('wonderland');
    expect((await api('a', 'POST', '', { username: 'alice', password: 'whatever-123' })).statusCode).toBe(409);
    const generated = (await api('a', 'POST', '', { username: 'bob', password: 'builder-123' })).json() as {
      sub: string;
    };
    expect(generated.sub).toMatch(/^[A-Za-z0-9_-]{22}$/);

    expect((await api('a', 'GET', '/alice')).json()).toMatchObject({ username: 'alice' });
    const list = (await api('a', 'GET', '?limit=1')).json() as { users: Array<{ sub: string }>; next_cursor: string };
    expect(list.users).toHaveLength(1);
    const rest = (await api('a', 'GET', `?after=${encodeURIComponent(list.next_cursor)}`)).json() as {
      users: unknown[];
    };
    expect(rest.users).toHaveLength(1);
    expect(((await api('a', 'GET', '?username=bob')).json() as { users: Array<{ sub: string }> }).users[0]!.sub).toBe(
      generated.sub,
    );

    const patched = await api('a', 'PATCH', '/alice', { claims: { email: null, nickname: 'Al' } });
    expect(patched.json().claims).toEqual({
      name: 'Alice Liddell',
      'name#fr': 'Alice au pays',
      email_verified: true,
      nickname: 'Al',
    });
    const replaced = await api('a', 'PUT', `/${generated.sub}`, {
      username: 'robert',
      claims: { given_name: 'Robert' },
    });
    expect(replaced.json()).toMatchObject({ username: 'robert', claims: { given_name: 'Robert' } });
    // deleting a user ends its SSO sessions
    const context = (await planes.dp.cache.load(t.a.tid))!;
    const now = Math.floor(Date.now() / 1000);
    const sessions = new RedisSubjectSessionStore(planes.s.redis);
    const sid = await sessions.create(t.a.tid, context.secrets['identifier-hmac'], {
      sub: generated.sub,
      authTime: now,
      creationTime: now,
      maxLife: 3600,
    });
    expect(await sessions.get(t.a.tid, context.secrets['identifier-hmac'], sid)).not.toBeNull();
    expect((await api('a', 'DELETE', `/${generated.sub}`)).statusCode).toBe(204);
    expect(await sessions.get(t.a.tid, context.secrets['identifier-hmac'], sid)).toBeNull();
    expect((await api('a', 'GET', `/${generated.sub}`)).statusCode).toBe(404);
  });

  it('refuses bad input with 400 and an error object, and a foreign token with 401', async () => {
    for (const bad of [
      { username: 'x', password: 'short' },
      { username: 'x', password: 'long-enough', claims: { sub: 'admin' } },
      { username: 'x', password: 'long-enough', claims: { email_verified: 'yes' } },
      { username: 'x', password: 'long-enough', claims: { 'email#fr': 'x@example.fr' } },
      { username: 'x', password: 'long-enough', extra: 1 },
    ]) {
      const res = await api('a', 'POST', '', bad);
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_request' });
    }
    const foreign = await api('a', 'GET', '/alice', undefined, t.b.apiToken);
    expect(foreign.statusCode).toBe(401);
    expect((await api('b', 'GET', '/alice')).statusCode).toBe(404); // tenant b has no alice
  });

  it('authenticates with scrypt hashes, per tenant, and serves claims', async () => {
    const dir = new PostgresUserDirectory(planes.s.db);
    await dir.create(t.b.tid, { username: 'carol', password: 'correct horse', sub: 'carol-b' });
    expect(await dir.authenticate(t.b.tid, 'carol', 'correct horse')).toEqual({ sub: 'carol-b' });
    expect(await dir.authenticate(t.b.tid, 'carol', 'wrong horse')).toBeNull();
    expect(await dir.authenticate(t.a.tid, 'carol', 'correct horse')).toBeNull();
    const row = await planes.s.db
      .selectFrom('directory_users')
      .select('password_hash')
      .where('tid', '=', t.b.tid)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    // a second user with the same password gets another salt
    await dir.create(t.b.tid, { username: 'dave', password: 'correct horse' });
    const hashes = await planes.s.db
      .selectFrom('directory_users')
      .select('password_hash')
      .where('tid', '=', t.b.tid)
      .execute();
    expect(new Set(hashes.map((h) => h.password_hash)).size).toBe(2);

    // an unknown user costs a scrypt too (the same order of time as a wrong password)
    const time = async (f: () => Promise<unknown>) => {
      const t0 = performance.now();
      await f();
      return performance.now() - t0;
    };
    await dir.authenticate(t.b.tid, 'nobody', 'x'); // warm the decoy
    const unknown = await time(() => dir.authenticate(t.b.tid, 'nobody', 'correct horse'));
    const wrong = await time(() => dir.authenticate(t.b.tid, 'carol', 'wrong horse'));
    expect(unknown).toBeGreaterThan(wrong / 4);

    expect(await dir.claims(t.a.tid, 'alice')).toMatchObject({
      name: 'Alice Liddell',
      'name#fr': 'Alice au pays',
      updated_at: expect.any(Number),
    });
    expect(await dir.claims(t.b.tid, 'alice')).toBeNull();
  });

  it('is the default password authenticator of the password grant', async () => {
    const { clientId, secret } = await addClient(planes.s, t.a.tid, {
      grant_types: ['password'],
      response_types: [],
      scope: 'openid read',
    });
    const grant = (password: string) =>
      planes.dp.app.inject({
        method: 'POST',
        url: '/token',
        headers: {
          'tenant-id': t.a.tid,
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basicAuth(clientId, secret!),
        },
        payload: new URLSearchParams({ grant_type: 'password', username: 'alice', password, scope: 'read' }).toString(),
      });
    expect((await grant('wonderland!')).statusCode).toBe(200);
    const wrong = await grant('nope');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ error: 'invalid_grant' });
  });
});
