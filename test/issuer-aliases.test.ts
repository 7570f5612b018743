import { readIssuerRequests } from '@tessera/shared/tenancy/issuer-requests';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { basicAuth, directAuthz, discoveredIssuer, jwtIssuer, postForm } from './support/issuer-http.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

describe('issuer aliases: API, serving, and the two modes (reference §9)', () => {
  let planes: InProcessPlanes;
  let tid: string;
  let primary: string;
  let apiToken: string;
  let client: { id: string; secret: string };
  let otherIssuer: string;

  const api = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
    planes.cp.inject({
      method,
      url,
      headers: { authorization: `Bearer ${planes.s.operatorKey}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  const aliasesOf = async (t: string) =>
    (await api('GET', `/tenants/rest/v1/${t}/aliases`)).json().aliases as Array<{ issuer: string; mode: string }>;
  const token = (issuer: string, params: Record<string, string>) =>
    postForm(`${issuer}/token`, params, basicAuth(client.id, client.secret));

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    tid = uniqueTid('alias');
    primary = `${planes.dataPlaneUrl}/${tid}`;
    ({ apiToken } = await planes.createTenant({
      tid,
      name: tid,
      issuer: primary,
      // More aliases than the free plan's quota of 1 (count-quotas.test.ts tests the quotas).
      plan: 'enterprise',
      config: { grants: { grantTypes: ['client_credentials', 'refresh_token'], responseTypes: [] } },
    }));
    const c = await addClient(planes.s, tid, { grant_types: ['client_credentials', 'refresh_token'], scope: 'read' });
    client = { id: c.clientId, secret: c.secret! };
    const other = uniqueTid('alias-other');
    otherIssuer = `${planes.dataPlaneUrl}/${other}`;
    await planes.createTenant({ tid: other, name: other, issuer: otherIssuer });
  }, 120_000);
  afterAll(async () => planes?.close());

  it('adds, lists and removes an alias; data-plane nodes serve and stop serving it within about a second', async () => {
    const alias = `${primary}-alt`;
    expect(await discoveredIssuer(alias)).toBe('400 invalid_tenant');
    const added = await api('POST', `/tenants/rest/v1/${tid}/aliases`, { issuer: alias, mode: 'MIGRATION' });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toEqual({ issuer: alias, mode: 'MIGRATION' });
    expect(await aliasesOf(tid)).toEqual([{ issuer: alias, mode: 'MIGRATION' }]);
    await expect.poll(() => discoveredIssuer(alias), { timeout: 2000, interval: 20 }).toBe(alias);
    expect(await discoveredIssuer(primary)).toBe(primary);

    const removed = await api('DELETE', `/tenants/rest/v1/${tid}/aliases?issuer=${encodeURIComponent(alias)}`);
    expect(removed.statusCode).toBe(204);
    expect(await aliasesOf(tid)).toEqual([]);
    await expect.poll(() => discoveredIssuer(alias), { timeout: 2000, interval: 20 }).toBe('400 invalid_tenant');
    const again = await api('DELETE', `/tenants/rest/v1/${tid}/aliases?issuer=${encodeURIComponent(alias)}`);
    expect(again.statusCode).toBe(404);
    expect(again.json()).toMatchObject({ error: 'alias_not_found' });
  });

  it('refuses bad input with a 4xx and writes nothing', async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ issuer: 'not a url', mode: 'MIGRATION' }, 400, 'invalid_request'],
      [{ issuer: 'ftp://login.example.com', mode: 'MIGRATION' }, 400, 'invalid_request'],
      [{ issuer: 'https://login.example.com/', mode: 'MIGRATION' }, 400, 'invalid_request'],
      [{ issuer: 'https://login.example.com?x=1', mode: 'MIGRATION' }, 400, 'invalid_request'],
      [{ issuer: `https://${tid}.example.com`, mode: 'SHARED' }, 400, 'invalid_request'],
      [{ issuer: `https://${tid}.example.com` }, 400, 'invalid_request'],
      [{ issuer: `https://${tid}.example.com`, mode: 'MIGRATION', extra: 1 }, 400, 'invalid_request'],
      [{ issuer: primary, mode: 'MIGRATION' }, 409, 'issuer_taken'],
      [{ issuer: otherIssuer, mode: 'PERSISTED_GRANT_ISOLATION' }, 409, 'issuer_taken'],
    ];
    // Other test files share this database and add aliases of their own at any time, so look
    // only at rows this test could have written: its tenant's, the unknown tenant's, or any
    // row for an issuer it tries to add.
    const touched = () =>
      planes.s.db
        .selectFrom('issuer_aliases')
        .select(['issuer', 'tid', 'mode'])
        .where((eb) =>
          eb.or([
            eb('tid', 'in', [tid, 'no-such-tenant-xyz']),
            eb('issuer', 'in', [
              ...cases.map(([body]) => String((body as { issuer?: unknown }).issuer ?? '')),
              'https://nobody.example.com',
            ]),
          ]),
        )
        .orderBy('issuer')
        .execute();
    const before = await touched();
    for (const [body, status, error] of cases) {
      const res = await api('POST', `/tenants/rest/v1/${tid}/aliases`, body);
      expect({ body, status: res.statusCode, error: res.json().error }).toEqual({ body, status, error });
      expect(typeof res.json().error_description).toBe('string');
    }
    const malformed = await planes.cp.inject({
      method: 'POST',
      url: `/tenants/rest/v1/${tid}/aliases`,
      headers: { authorization: `Bearer ${planes.s.operatorKey}`, 'content-type': 'application/json' },
      payload: '{"issuer":',
    });
    expect(malformed.statusCode).toBe(400);
    const unknownTenant = await api('POST', '/tenants/rest/v1/no-such-tenant-xyz/aliases', {
      issuer: 'https://nobody.example.com',
      mode: 'MIGRATION',
    });
    expect(unknownTenant.statusCode).toBe(404);
    expect(unknownTenant.json()).toMatchObject({ error: 'tenant_not_found' });

    // A duplicate of an alias just added is refused too, and the first stays as it was.
    const alias = `https://${tid}-dup.example.com`;
    expect(
      (await api('POST', `/tenants/rest/v1/${tid}/aliases`, { issuer: alias, mode: 'MIGRATION' })).statusCode,
    ).toBe(201);
    const dup = await api('POST', `/tenants/rest/v1/${tid}/aliases`, {
      issuer: alias,
      mode: 'PERSISTED_GRANT_ISOLATION',
    });
    expect(dup.statusCode).toBe(409);
    expect(await aliasesOf(tid)).toEqual([{ issuer: alias, mode: 'MIGRATION' }]);
    expect(
      (await api('DELETE', `/tenants/rest/v1/${tid}/aliases?issuer=${encodeURIComponent(alias)}`)).statusCode,
    ).toBe(204);

    expect(await touched()).toEqual(before);
  });

  it('is described in the OpenAPI document and bound by tenant-scoped admin tokens', async () => {
    const paths = Object.keys((await api('GET', '/openapi.json')).json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/tenants/rest/v1/{tid}/aliases',
        '/tenants/rest/v1/{tid}/issuer-migrations',
        '/tenants/rest/v1/{tid}/issuer-migrations/{id}/cancel',
      ]),
    );
    const minted = await api('POST', '/admin-tokens/rest/v1', { tid });
    expect(minted.statusCode).toBe(201);
    const scoped = { authorization: `Bearer ${minted.json().access_token}` };
    const own = await planes.cp.inject({ method: 'GET', url: `/tenants/rest/v1/${tid}/aliases`, headers: scoped });
    expect(own.statusCode).toBe(200);
    const other = otherIssuer.slice(otherIssuer.lastIndexOf('/') + 1);
    const foreign = await planes.cp.inject({
      method: 'POST',
      url: `/tenants/rest/v1/${other}/aliases`,
      headers: scoped,
      payload: { issuer: `https://${other}.example.net`, mode: 'MIGRATION' },
    });
    expect(foreign.statusCode).toBe(403);
    expect(await aliasesOf(other)).toEqual([]);
  });

  it('MIGRATION shares persisted grants across aliases; PERSISTED_GRANT_ISOLATION keeps its own', async () => {
    const migration = `${primary}-m`;
    const isolated = `${primary}-i`;
    expect(
      (await api('POST', `/tenants/rest/v1/${tid}/aliases`, { issuer: migration, mode: 'MIGRATION' })).statusCode,
    ).toBe(201);
    expect(
      (await api('POST', `/tenants/rest/v1/${tid}/aliases`, { issuer: isolated, mode: 'PERSISTED_GRANT_ISOLATION' }))
        .statusCode,
    ).toBe(201);
    await expect.poll(() => discoveredIssuer(isolated), { timeout: 2000, interval: 20 }).toBe(isolated);
    await expect.poll(() => discoveredIssuer(migration), { timeout: 2000, interval: 20 }).toBe(migration);

    // Access tokens carry the issuer they were issued under and are valid under it only.
    const at = (await token(migration, { grant_type: 'client_credentials', scope: 'read' })).body
      .access_token as string;
    expect(jwtIssuer(at)).toBe(migration);
    const introspect = async (issuer: string, t: string) =>
      (await postForm(`${issuer}/token/introspect`, { token: t }, basicAuth(client.id, client.secret))).body.active;
    expect(await introspect(migration, at)).toBe(true);
    expect(await introspect(primary, at)).toBe(false);

    // A persisted (identifier) refresh token from the primary works under a MIGRATION alias, for that alias…
    const persisted = await directAuthz(primary, apiToken, {
      sub: 'alice',
      client_id: client.id,
      scope: ['read'],
      long_lived: true,
      refresh_token: { issue: true },
    });
    expect(persisted.refresh_token!.split('.')).toHaveLength(1);
    const viaMigration = await token(migration, {
      grant_type: 'refresh_token',
      refresh_token: persisted.refresh_token!,
    });
    expect(viaMigration.status).toBe(200);
    expect(jwtIssuer(viaMigration.body.access_token as string)).toBe(migration);
    // …and is blocked under the isolated alias.
    const viaIsolated = await token(isolated, { grant_type: 'refresh_token', refresh_token: persisted.refresh_token! });
    expect(viaIsolated.status).toBe(400);
    expect(viaIsolated.body.error).toBe('invalid_grant');

    // Under the isolated alias consent is not persisted: the refresh token is self-contained, and stays there.
    const stored = async () =>
      (
        await planes.s.db
          .selectFrom('authorizations')
          .select('id')
          .where('tid', '=', tid)
          .where('sub', '=', 'bob')
          .execute()
      ).length;
    const own = await directAuthz(isolated, apiToken, {
      sub: 'bob',
      client_id: client.id,
      scope: ['read'],
      long_lived: true,
      refresh_token: { issue: true },
    });
    expect(own.refresh_token!.split('.')).toHaveLength(5);
    expect(await stored()).toBe(0);
    const ownRefresh = await token(isolated, { grant_type: 'refresh_token', refresh_token: own.refresh_token! });
    expect(ownRefresh.status).toBe(200);
    expect(jwtIssuer(ownRefresh.body.access_token as string)).toBe(isolated);
    for (const elsewhere of [primary, migration]) {
      const res = await token(elsewhere, { grant_type: 'refresh_token', refresh_token: own.refresh_token! });
      expect({ elsewhere, status: res.status, error: res.body.error }).toEqual({
        elsewhere,
        status: 400,
        error: 'invalid_grant',
      });
    }
    // The authorisation store refuses long-lived authorisations there too.
    const store = await fetch(`${isolated}/authz-store/rest/v3/authorizations`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'bob', cid: client.id, scp: ['read'] }),
    });
    expect(store.status).toBe(400);
    expect(((await store.json()) as { error_description: string }).error_description).toContain(
      'PERSISTED_GRANT_ISOLATION',
    );
  });

  it('counts requests per issuer in Redis, within a couple of seconds', async () => {
    const alias = `${primary}-count`;
    expect(
      (await api('POST', `/tenants/rest/v1/${tid}/aliases`, { issuer: alias, mode: 'MIGRATION' })).statusCode,
    ).toBe(201);
    await expect.poll(() => discoveredIssuer(alias), { timeout: 2000, interval: 20 }).toBe(alias);
    const start = await readIssuerRequests(planes.s.redis, tid, alias);
    for (let i = 0; i < 5; i++) expect(await discoveredIssuer(alias)).toBe(alias);
    // Token requests over the network count too.
    for (let i = 0; i < 3; i++)
      expect((await token(alias, { grant_type: 'client_credentials', scope: 'read' })).status).toBe(200);
    await expect
      .poll(async () => (await readIssuerRequests(planes.s.redis, tid, alias)).total - start.total, {
        timeout: 3000,
        interval: 100,
      })
      .toBeGreaterThanOrEqual(8);
    const now = await readIssuerRequests(planes.s.redis, tid, alias);
    expect(now.lastSeenMs).toBeGreaterThan(Date.now() - 5000);
  });
});
