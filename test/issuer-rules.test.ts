import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildControlPlane } from '@tessera/control-plane/server';
import { loadSettings } from '@tessera/shared/settings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { basicAuth, discoveredIssuer, postForm } from './support/issuer-http.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

/*
 * Issue 11, finding 2 (and the issuer part of 7): the data plane routes by the
 * longest issuer path prefix, so an issuer below another tenant's captured
 * that part of its URL space. No issuer may now nest with another; a
 * tenant-scoped admin token stays in the tenant's namespace or on a custom
 * host it verified.
 */
describe('issuer rules: no nesting across tenants, tenant namespaces, verified custom hosts', () => {
  let planes: InProcessPlanes;
  let dp: string;
  const a = uniqueTid('rules-a');
  const b = uniqueTid('rules-b');
  let aIssuer: string;
  let bIssuer: string;
  let bClient: string;
  let scopedA: string;
  let scopedB: string;

  const call = (token: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
    planes.cp.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  const operator = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
    call(planes.s.operatorKey, method, url, payload);
  const aliasesOf = async (tid: string) =>
    ((await operator('GET', `/tenants/rest/v1/${tid}/aliases`)).json().aliases as Array<{ issuer: string }>).map(
      (x) => x.issuer,
    );
  const mint = async (tid: string) =>
    (await operator('POST', '/admin-tokens/rest/v1', { tid })).json().access_token as string;
  const bToken = () => postForm(`${bIssuer}/token`, { grant_type: 'client_credentials', scope: 'read' }, bClient);

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    dp = planes.dataPlaneUrl;
    // A's primary sits one level into its namespace, so that siblings there do not nest with it.
    aIssuer = `${dp}/${a}/main`;
    bIssuer = `${dp}/${b}`;
    // A collects more aliases than the free plan's quota of 1 (count-quotas.test.ts tests the quotas).
    await planes.createTenant({ tid: a, name: 'A', issuer: aIssuer, plan: 'enterprise' });
    await planes.createTenant({
      tid: b,
      name: 'B',
      issuer: bIssuer,
      config: { grants: { grantTypes: ['client_credentials'], responseTypes: [] } },
    });
    const c = await addClient(planes.s, b, { grant_types: ['client_credentials'], scope: 'read' });
    bClient = basicAuth(c.clientId, c.secret!);
    [scopedA, scopedB] = await Promise.all([mint(a), mint(b)]);
  }, 120_000);
  afterAll(async () => planes?.close());

  it("refuses tenant A's alias below B's issuer (the capture) with 409 naming B's issuer; B's endpoints keep working", async () => {
    expect((await bToken()).status).toBe(200);
    for (const token of [scopedA, planes.s.operatorKey]) {
      for (const capture of [`${bIssuer}/token`, `${bIssuer}/login`, `${bIssuer}/.well-known-x`]) {
        const res = await call(token, 'POST', `/tenants/rest/v1/${a}/aliases`, { issuer: capture, mode: 'MIGRATION' });
        expect({ capture, status: res.statusCode, error: res.json().error }).toEqual({
          capture,
          status: 409,
          error: 'issuer_conflict',
        });
        expect(res.json().error_description).toContain(`conflicts with issuer ${bIssuer} of another tenant`);
      }
    }
    expect(await aliasesOf(a)).toEqual([]);
    expect((await bToken()).status).toBe(200);
    expect(await discoveredIssuer(bIssuer)).toBe(bIssuer);
  });

  it("refuses an issuer above another tenant's (a path-segment prefix of it, or the bare origin), but not a mere string prefix", async () => {
    const shared = uniqueTid('rules-shared');
    const c = uniqueTid('rules-c');
    const cIssuer = `${dp}/${shared}/${c}`;
    await planes.createTenant({ tid: c, name: 'C', issuer: cIssuer });
    for (const above of [`${dp}/${shared}`, dp]) {
      const res = await operator('POST', `/tenants/rest/v1/${a}/aliases`, { issuer: above, mode: 'MIGRATION' });
      expect({ above, status: res.statusCode, error: res.json().error }).toEqual({
        above,
        status: 409,
        error: 'issuer_conflict',
      });
      expect(res.json().error_description).toMatch(/conflicts with issuer \S+ of (another|this) tenant/);
    }
    expect(
      (await operator('POST', `/tenants/rest/v1/${a}/aliases`, { issuer: `${dp}/${shared}`, mode: 'MIGRATION' })).json()
        .error_description,
    ).toContain(cIssuer);
    // `/<shared>-x` starts with the same characters but is another segment: no conflict.
    const sibling = `${dp}/${shared}-x`;
    expect(
      (await operator('POST', `/tenants/rest/v1/${a}/aliases`, { issuer: sibling, mode: 'MIGRATION' })).statusCode,
    ).toBe(201);
    expect(
      (await operator('DELETE', `/tenants/rest/v1/${a}/aliases?issuer=${encodeURIComponent(sibling)}`)).statusCode,
    ).toBe(204);
    await expect.poll(() => discoveredIssuer(cIssuer), { timeout: 2000, interval: 20 }).toBe(cIssuer);
  });

  it("refuses nesting among one tenant's own issuers too", async () => {
    const res = await operator('POST', `/tenants/rest/v1/${a}/aliases`, {
      issuer: `${aIssuer}/eu`,
      mode: 'PERSISTED_GRANT_ISOLATION',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'issuer_conflict' });
    expect(res.json().error_description).toContain(`conflicts with issuer ${aIssuer} of this tenant`);
  });

  it("refuses a migration target that nests with another tenant's issuer or its own, and starts no workflow", async () => {
    for (const [target, whose] of [
      [`${bIssuer}/v2`, bIssuer],
      [`${aIssuer}/v2`, aIssuer],
    ] as const) {
      const res = await operator('POST', `/tenants/rest/v1/${a}/issuer-migrations`, {
        new_issuer: target,
        window_seconds: 60,
      });
      expect({ target, status: res.statusCode, error: res.json().error }).toEqual({
        target,
        status: 409,
        error: 'issuer_conflict',
      });
      expect(res.json().error_description).toContain(`conflicts with issuer ${whose}`);
    }
    const tenant = (await operator('GET', `/tenants/rest/v1/${a}`)).json();
    expect(tenant).toMatchObject({ issuer: aIssuer, aliases: [] });
  });

  it('refuses to create a tenant whose issuer or alias nests with an existing issuer or with each other; nothing is written', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ issuer: `${bIssuer}/sub` }, bIssuer],
      [
        { issuer: `${dp}/${uniqueTid('rules-free')}`, aliases: [{ issuer: `${bIssuer}/x`, mode: 'MIGRATION' }] },
        bIssuer,
      ],
      [
        { issuer: `${dp}/${uniqueTid('rules-own')}`, aliases: [{ issuer: 'SELF/eu', mode: 'MIGRATION' }] },
        'of this tenant',
      ],
    ];
    for (const [body, names] of cases) {
      const tid = uniqueTid('rules-new');
      const aliases = (body.aliases as Array<{ issuer: string; mode: string }> | undefined)?.map((x) => ({
        ...x,
        issuer: x.issuer.replace('SELF', body.issuer as string),
      }));
      const res = await operator('POST', '/tenants/rest/v1?wait=true', {
        tid,
        name: tid,
        ...body,
        ...(aliases ? { aliases } : {}),
      });
      expect({ tid, status: res.statusCode, error: res.json().error }).toEqual({
        tid,
        status: 409,
        error: 'issuer_conflict',
      });
      expect(res.json().error_description).toContain(names);
      expect(
        await planes.s.db.selectFrom('tenants').select('tid').where('tid', '=', tid).executeTakeFirst(),
      ).toBeUndefined();
    }
  });

  it('lets only one of two racing writes of nested issuers pass (the check runs under the issuer lock)', async () => {
    for (let round = 0; round < 5; round++) {
      const top = `${dp}/${uniqueTid('race')}`;
      const writes = [
        [a, top],
        [b, `${top}/below`],
      ] as const;
      const results = await Promise.all(
        writes.map(([tid, issuer]) =>
          operator('POST', `/tenants/rest/v1/${tid}/aliases`, { issuer, mode: 'MIGRATION' }),
        ),
      );
      expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
      const [tid, issuer] = writes[results.findIndex((r) => r.statusCode === 201)]!;
      expect(
        (await operator('DELETE', `/tenants/rest/v1/${tid}/aliases?issuer=${encodeURIComponent(issuer)}`)).statusCode,
      ).toBe(204);
    }
    // Two tenants created at once with nested issuers: the workflow's write (under the lock) refuses the second.
    const [x, y] = [uniqueTid('race-x'), uniqueTid('race-y')];
    const created = await Promise.all([
      operator('POST', '/tenants/rest/v1?wait=true', { tid: x, name: x, issuer: `${dp}/${x}` }),
      operator('POST', '/tenants/rest/v1?wait=true', { tid: y, name: y, issuer: `${dp}/${x}/${y}` }),
    ]);
    expect(created.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(created.find((r) => r.statusCode === 409)!.json().error).toBe('issuer_conflict');
  }, 60_000);

  it("keeps a tenant-scoped admin token inside its tenant's namespace (403 outside; the operator key may)", async () => {
    const inside = `${dp}/${a}/eu`;
    const added = await call(scopedA, 'POST', `/tenants/rest/v1/${a}/aliases`, {
      issuer: inside,
      mode: 'PERSISTED_GRANT_ISOLATION',
    });
    expect(added.statusCode, added.body).toBe(201);
    await expect.poll(() => discoveredIssuer(inside), { timeout: 2000, interval: 20 }).toBe(inside);

    for (const outside of [
      `${dp}/${a}-x`,
      `${dp}/${uniqueTid('rules-free')}`,
      `${dp.replace('127.0.0.1', 'localhost')}/${a}`,
    ]) {
      const res = await call(scopedA, 'POST', `/tenants/rest/v1/${a}/aliases`, { issuer: outside, mode: 'MIGRATION' });
      expect({ outside, status: res.statusCode, error: res.json().error }).toEqual({
        outside,
        status: 403,
        error: outside.includes('localhost') ? 'domain_not_verified' : 'forbidden',
      });
    }
    const forbidden = await call(scopedA, 'POST', `/tenants/rest/v1/${a}/aliases`, {
      issuer: `${dp}/${a}-x`,
      mode: 'MIGRATION',
    });
    expect(forbidden.json().error_description).toContain(`namespace (${dp}/${a}, and below)`);
    const migration = await call(scopedA, 'POST', `/tenants/rest/v1/${a}/issuer-migrations`, {
      new_issuer: `${dp}/${a}-x`,
      window_seconds: 60,
    });
    expect(migration.statusCode).toBe(403);
    expect(migration.json().error).toBe('forbidden');
    expect(await aliasesOf(a)).toEqual([inside]);

    const byOperator = await operator('POST', `/tenants/rest/v1/${a}/aliases`, {
      issuer: `${dp}/${a}-x`,
      mode: 'MIGRATION',
    });
    expect(byOperator.statusCode).toBe(201);
    for (const alias of [inside, `${dp}/${a}-x`])
      expect(
        (await operator('DELETE', `/tenants/rest/v1/${a}/aliases?issuer=${encodeURIComponent(alias)}`)).statusCode,
      ).toBe(204);
  });

  describe('custom hosts: proof of control through the HTTP challenge', () => {
    let server: Server;
    let host: string;
    let connections = 0;
    const published = new Map<string, string>();

    beforeAll(async () => {
      server = createServer((req, res) => {
        const body = published.get(req.url ?? '');
        res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/plain' }).end(body ?? 'not here');
      });
      server.on('connection', () => (connections += 1));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      // `localhost` is not the platform's host (127.0.0.1 in tests): a custom host, served here by a server of the test.
      host = `localhost:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => new Promise<void>((resolve) => server?.close(() => resolve())));

    it('refuses an issuer on an unverified custom host with instructions, verifies the host, then accepts it (for that tenant only)', async () => {
      const issuer = `http://${host}/${a}`;
      const refused = await call(scopedA, 'POST', `/tenants/rest/v1/${a}/aliases`, { issuer, mode: 'MIGRATION' });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ error: 'domain_not_verified' });
      expect(refused.json().error_description).toContain(`POST /tenants/rest/v1/${a}/domains {"host": "${host}"}`);

      const asked = await call(scopedA, 'POST', `/tenants/rest/v1/${a}/domains`, { host });
      expect(asked.statusCode).toBe(201);
      const challenge = asked.json();
      expect(challenge).toMatchObject({
        host,
        status: 'pending',
        txt_name: '_tessera-challenge.localhost',
        verified_at: null,
      });
      expect(challenge.http_path).toMatch(/^\/\.well-known\/tessera-challenge\/[A-Za-z0-9_-]{32}$/);
      // Asking again hands out the same challenge (a published record stays good).
      const again = await call(scopedA, 'POST', `/tenants/rest/v1/${a}/domains`, { host });
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual(challenge);

      const early = await call(scopedA, 'POST', `/tenants/rest/v1/${a}/domains/${host}/verify`);
      expect(early.statusCode).toBe(409);
      expect(early.json()).toMatchObject({ error: 'verification_failed' });
      published.set(challenge.http_path, 'wrong value');
      expect((await call(scopedA, 'POST', `/tenants/rest/v1/${a}/domains/${host}/verify`)).statusCode).toBe(409);
      expect(
        (await call(scopedA, 'POST', `/tenants/rest/v1/${a}/aliases`, { issuer, mode: 'MIGRATION' })).statusCode,
      ).toBe(403);

      published.set(challenge.http_path, `${challenge.txt_value}\n`);
      const verified = await call(scopedA, 'POST', `/tenants/rest/v1/${a}/domains/${host}/verify`);
      expect(verified.statusCode).toBe(200);
      expect(verified.json()).toMatchObject({ host, status: 'verified', verified_by: 'http' });
      expect((await call(scopedA, 'GET', `/tenants/rest/v1/${a}/domains`)).json().domains).toEqual([verified.json()]);

      const accepted = await call(scopedA, 'POST', `/tenants/rest/v1/${a}/aliases`, { issuer, mode: 'MIGRATION' });
      expect(accepted.statusCode, accepted.body).toBe(201);
      await expect
        .poll(
          async () =>
            (
              await planes.dp.app.inject({
                method: 'GET',
                url: `/${a}/.well-known/openid-configuration`,
                headers: { issuer },
              })
            ).json().issuer,
          { timeout: 2000, interval: 20 },
        )
        .toBe(issuer);

      // B has not verified the host: A's proof is not B's.
      const other = await call(scopedB, 'POST', `/tenants/rest/v1/${b}/aliases`, {
        issuer: `http://${host}/${b}`,
        mode: 'MIGRATION',
      });
      expect(other.statusCode).toBe(403);
      expect(other.json().error).toBe('domain_not_verified');
      expect((await call(scopedB, 'GET', `/tenants/rest/v1/${a}/domains`)).statusCode).toBe(403);
    });

    it('with private fetches denied (the default), a host that resolves to loopback is not verified, and nothing connects to it', async () => {
      // A control plane as its process reads the settings with CLIENT_FETCH_PRIVATE=deny; same database, keys and admin tokens.
      const guarded = await buildControlPlane({
        db: planes.s.db,
        redis: planes.s.redis,
        keyStores: planes.s.keyStores,
        masterKey: planes.s.masterKey,
        temporal: planes.temporal,
        temporalSettings: planes.temporalSettings,
        settings: { ...loadSettings({ ...process.env, CLIENT_FETCH_PRIVATE: 'deny' }), issuerBaseUrls: [dp] },
      });
      try {
        const asked = await guarded.inject({
          method: 'POST',
          url: `/tenants/rest/v1/${b}/domains`,
          headers: { authorization: `Bearer ${scopedB}` },
          payload: { host },
        });
        expect(asked.statusCode).toBe(201);
        const challenge = asked.json();
        published.set(challenge.http_path, challenge.txt_value);
        const before = connections;
        const refused = await guarded.inject({
          method: 'POST',
          url: `/tenants/rest/v1/${b}/domains/${host}/verify`,
          headers: { authorization: `Bearer ${scopedB}` },
        });
        expect(refused.statusCode).toBe(409);
        expect(refused.json()).toMatchObject({ error: 'verification_failed' });
        expect(connections - before).toBe(0);
        // Where private addresses are allowed (the test environment), the same published challenge is met.
        const verified = await call(scopedB, 'POST', `/tenants/rest/v1/${b}/domains/${host}/verify`);
        expect(verified.json()).toMatchObject({ host, status: 'verified', verified_by: 'http' });
        expect(connections - before).toBe(1);
      } finally {
        await guarded.close();
      }
    });

    it('refuses platform hosts and malformed hosts and tids, and forgets a domain on request', async () => {
      const platform = new URL(dp).host;
      for (const bad of [platform, `HTTP://${host}`, `${host}/x`, 'Upper.example.com']) {
        const res = await call(scopedA, 'POST', `/tenants/rest/v1/${a}/domains`, { host: bad });
        expect({ bad, status: res.statusCode, error: res.json().error }).toEqual({
          bad,
          status: 400,
          error: 'invalid_request',
        });
      }
      const temp = 'temp.example.com';
      expect((await call(scopedA, 'POST', `/tenants/rest/v1/${a}/domains`, { host: temp })).statusCode).toBe(201);
      expect((await call(scopedA, 'DELETE', `/tenants/rest/v1/${a}/domains/${temp}`)).statusCode).toBe(204);
      expect((await call(scopedA, 'DELETE', `/tenants/rest/v1/${a}/domains/${temp}`)).json()).toMatchObject({
        error: 'domain_not_found',
      });
      expect((await call(scopedA, 'POST', `/tenants/rest/v1/${a}/domains/${temp}/verify`)).statusCode).toBe(404);
      // Malformed identifiers are refused before any query (a NUL would be a database error).
      for (const [method, url] of [
        ['GET', '/tenants/rest/v1/a%00b/domains'],
        ['POST', `/tenants/rest/v1/${a}/domains/a%00b/verify`],
        ['DELETE', `/tenants/rest/v1/${a}/domains/a%00b`],
        ['DELETE', `/tenants/rest/v1/${a}/aliases?issuer=${encodeURIComponent(`${dp}/a\u0000b`)}`],
        ['GET', '/tenants/rest/v1/a%00b/aliases'],
      ] as const) {
        const res = await operator(method, url);
        expect({ method, url, status: res.statusCode, error: res.json().error }).toEqual({
          method,
          url,
          status: 400,
          error: 'invalid_request',
        });
      }
    });
  });
});
