import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

/*
 * Issue 18: the console's read-only pages list a tenant's keys, clients and
 * directory users from the control plane, where a viewer or a tenant-scoped
 * admin may read them without an API token (which could change them). Never
 * a secret, hash, private key part or PIN in any answer.
 */
describe('control-plane read APIs: keys, clients, users', () => {
  let planes: InProcessPlanes;
  const a = uniqueTid('reads-a');
  const b = uniqueTid('reads-b');
  const password = 'correct horse battery staple';
  const secrets: string[] = [];
  const clientIds: string[] = [];
  const subs: string[] = [];
  let scopedA: string;

  const get = (url: string, token = planes.s.operatorKey) =>
    planes.cp.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  /** Every member name at any depth of a JSON answer. */
  const memberNames = (node: unknown): string[] =>
    Array.isArray(node)
      ? node.flatMap(memberNames)
      : node !== null && typeof node === 'object'
        ? Object.entries(node).flatMap(([name, value]) => [name, ...memberNames(value)])
        : [];
  const PRIVATE_JWK_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']);
  /** Whether an answer holds anything secret: a client secret, a password or its hash, a private JWK member, a PIN. */
  const leaks = (body: string) =>
    secrets.some((s) => body.includes(s)) ||
    body.includes(password) ||
    body.includes('scrypt$') ||
    memberNames(JSON.parse(body)).some(
      (name) =>
        PRIVATE_JWK_MEMBERS.has(name) ||
        name === 'client_secret' ||
        /pin|sealed|password|hash|registration_access|private/i.test(name),
    );

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    for (const tid of [a, b]) await planes.createTenant({ tid, name: tid, issuer: `${planes.dataPlaneUrl}/${tid}` });
    for (let i = 0; i < 5; i++) {
      const { clientId, secret } = await addClient(
        planes.s,
        a,
        {
          client_name: `App ${i}`,
          redirect_uris: [`https://app${i}.example/callback`],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
          scope: 'openid profile',
        },
        { clientId: `client-${i}` },
      );
      clientIds.push(clientId);
      if (secret) secrets.push(secret);
    }
    const directory = new PostgresUserDirectory(planes.s.db);
    for (let i = 0; i < 5; i++) {
      const user = await directory.create(a, {
        sub: `user-${i}`,
        username: `person${i}`,
        password,
        claims: { email: `person${i}@example.com`, name: `Person ${i}` },
      });
      subs.push(user.sub);
    }
    // B has a client and a user of its own, which A's lists must never show.
    await addClient(planes.s, b, { client_name: 'B app' }, { clientId: 'client-b' });
    await directory.create(b, { sub: 'user-b', username: 'b-person', password });
    const minted = await planes.cp.inject({
      method: 'POST',
      url: '/admin-tokens/rest/v1',
      headers: { authorization: `Bearer ${planes.s.operatorKey}` },
      payload: { tid: a },
    });
    expect(minted.statusCode).toBe(201);
    scopedA = minted.json().access_token as string;
  });

  afterAll(async () => {
    await planes?.close();
  });

  it("lists the tenant's keys with public members and lifecycle, never private material", async () => {
    const res = await get(`/tenants/rest/v1/${a}/keys`);
    expect(res.statusCode).toBe(200);
    expect(leaks(res.body)).toBe(false);
    const keys = res.json().keys as Array<Record<string, unknown>>;
    const rows = await planes.s.db
      .selectFrom('tenant_keys')
      .select(['kid', 'alg', 'backend'])
      .where('tid', '=', a)
      .execute();
    expect(keys.map((k) => k.kid).sort()).toEqual(rows.map((r) => r.kid).sort());
    for (const key of keys) {
      const row = rows.find((r) => r.kid === key.kid)!;
      expect(key.alg).toBe(row.alg);
      expect(key.hsm).toBe(row.backend === 'pkcs11');
      expect(key.status).toBe('active');
      expect(key.current).toBe(true);
      expect(['RSA', 'EC', 'OKP']).toContain(key.kty);
      expect(key.jwk).toMatchObject({ kid: key.kid, kty: key.kty });
      expect(
        Object.keys(key.jwk as object).every((m) =>
          ['kty', 'kid', 'use', 'alg', 'crv', 'n', 'e', 'x', 'y'].includes(m),
        ),
      ).toBe(true);
      expect(Date.parse(key.created_at as string)).not.toBeNaN();
      expect(key.retired_at).toBeNull();
      expect(key.revoked_at).toBeNull();
    }
  });

  it('lists clients with their metadata, never the secret', async () => {
    const res = await get(`/tenants/rest/v1/${a}/clients`);
    expect(res.statusCode).toBe(200);
    expect(secrets).toHaveLength(5);
    // The detector itself catches a secret.
    expect(leaks(JSON.stringify({ x: `..${secrets[0]}..` }))).toBe(true);
    expect(leaks(res.body)).toBe(false);
    const page = res.json() as { clients: Array<Record<string, unknown>>; next_cursor?: string };
    expect(page.clients.map((c) => c.client_id)).toEqual(clientIds);
    expect(page.next_cursor).toBeUndefined();
    expect(page.clients[2]).toMatchObject({
      client_id: 'client-2',
      client_name: 'App 2',
      redirect_uris: ['https://app2.example/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid profile',
      has_secret: true,
      client_secret_expires_at: null,
    });
    expect(Date.parse(page.clients[2]!.created_at as string)).not.toBeNaN();
  });

  it('pages clients with limit and after', async () => {
    const first = await get(`/tenants/rest/v1/${a}/clients?limit=2`);
    expect(first.json().clients.map((c: { client_id: string }) => c.client_id)).toEqual(['client-0', 'client-1']);
    expect(first.json().next_cursor).toBe('client-1');
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const res = await get(`/tenants/rest/v1/${a}/clients?limit=2${after ? `&after=${after}` : ''}`);
      expect(res.statusCode).toBe(200);
      seen.push(...res.json().clients.map((c: { client_id: string }) => c.client_id));
      after = res.json().next_cursor;
    } while (after);
    expect(seen).toEqual(clientIds);
    expect((await get(`/tenants/rest/v1/${a}/clients?limit=0`)).statusCode).toBe(400);
  });

  it('lists directory users with claims, never a password hash; pages and filters by username', async () => {
    const res = await get(`/tenants/rest/v1/${a}/users`);
    expect(res.statusCode).toBe(200);
    expect(leaks(res.body)).toBe(false);
    const users = res.json().users as Array<Record<string, unknown>>;
    expect(users.map((u) => u.sub)).toEqual(subs);
    expect(users[3]).toMatchObject({
      sub: 'user-3',
      username: 'person3',
      claims: { email: 'person3@example.com', name: 'Person 3' },
    });
    expect(Object.keys(users[3]!).sort()).toEqual(['claims', 'created_at', 'sub', 'updated_at', 'username']);

    const first = await get(`/tenants/rest/v1/${a}/users?limit=3`);
    expect(first.json().users.map((u: { sub: string }) => u.sub)).toEqual(['user-0', 'user-1', 'user-2']);
    expect(first.json().next_cursor).toBe('user-2');
    const rest = await get(`/tenants/rest/v1/${a}/users?limit=3&after=user-2`);
    expect(rest.json().users.map((u: { sub: string }) => u.sub)).toEqual(['user-3', 'user-4']);
    expect(rest.json().next_cursor).toBeUndefined();

    const one = await get(`/tenants/rest/v1/${a}/users?username=person4`);
    expect(one.json().users.map((u: { sub: string }) => u.sub)).toEqual(['user-4']);
    // Another tenant's username is not found here.
    expect((await get(`/tenants/rest/v1/${a}/users?username=b-person`)).json().users).toEqual([]);
    expect((await get(`/tenants/rest/v1/${a}/users?limit=1001`)).statusCode).toBe(400);
  });

  it("a tenant-scoped admin token reads its own tenant's lists and gets 403 on another's", async () => {
    for (const list of ['keys', 'clients', 'users']) {
      const own = await get(`/tenants/rest/v1/${a}/${list}`, scopedA);
      expect(own.statusCode).toBe(200);
      expect(leaks(own.body)).toBe(false);
      const other = await get(`/tenants/rest/v1/${b}/${list}`, scopedA);
      expect(other.statusCode).toBe(403);
      expect(other.json().error).toBe('forbidden');
      expect(other.body).not.toContain('client-b');
      expect((await get(`/tenants/rest/v1/${a}/${list}`, 'not-a-token')).statusCode).toBe(401);
    }
    // B's own lists hold only B's.
    expect(
      (await get(`/tenants/rest/v1/${b}/clients`)).json().clients.map((c: { client_id: string }) => c.client_id),
    ).toEqual(['client-b']);
    expect((await get(`/tenants/rest/v1/${b}/users`)).json().users.map((u: { sub: string }) => u.sub)).toEqual([
      'user-b',
    ]);
  });

  it('answers 404 tenant_not_found for an unknown tenant', async () => {
    const unknown = uniqueTid('reads-none');
    for (const list of ['keys', 'clients', 'users']) {
      const res = await get(`/tenants/rest/v1/${unknown}/${list}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().error).toBe('tenant_not_found');
    }
  });
});
