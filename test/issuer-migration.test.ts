import { migrationResult } from '@tessera/control-plane/api/issuer-migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { basicAuth, directAuthz, discoveredIssuer, jwtIssuer, postForm } from './support/issuer-http.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

interface Migration {
  id: string;
  state: string;
  old_issuer: string;
  new_issuer: string;
  old_issuer_requests: number;
  window_ends_at: string | null;
}

describe('migrateIssuer: moving a tenant to a new issuer URL (Temporal, real data plane)', () => {
  let planes: InProcessPlanes;

  const api = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    planes.cp.inject({
      method,
      url,
      headers: { authorization: `Bearer ${planes.s.operatorKey}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  const tenantOf = async (tid: string) =>
    (await api('GET', `/tenants/rest/v1/${tid}`)).json() as {
      issuer: string;
      aliases: Array<{ issuer: string; mode: string }>;
    };
  const start = async (tid: string, body: Record<string, unknown>) => {
    const res = await api('POST', `/tenants/rest/v1/${tid}/issuer-migrations`, body);
    expect(res.statusCode, res.body).toBe(202);
    return res.json() as Migration;
  };
  const progress = async (tid: string, id: string) =>
    (await api('GET', `/tenants/rest/v1/${tid}/issuer-migrations/${id}`)).json() as Migration;
  const inWindow = (tid: string, id: string) =>
    expect.poll(async () => (await progress(tid, id)).state, { timeout: 15_000, interval: 100 }).toBe('window');

  async function newTenant(base: string) {
    const tid = uniqueTid(base);
    const issuer = `${planes.dataPlaneUrl}/${tid}`;
    const { apiToken } = await planes.createTenant({
      tid,
      name: tid,
      issuer,
      aliases: [{ issuer: `${issuer}-kept`, mode: 'PERSISTED_GRANT_ISOLATION' }],
      config: { grants: { grantTypes: ['client_credentials', 'refresh_token'], responseTypes: [] } },
    });
    const c = await addClient(planes.s, tid, { grant_types: ['client_credentials', 'refresh_token'], scope: 'read' });
    return {
      tid,
      old: issuer,
      next: `${issuer}-v2`,
      apiToken,
      auth: basicAuth(c.clientId, c.secret!),
      clientId: c.clientId,
    };
  }

  beforeAll(async () => {
    process.env.TESSERA_MIGRATION_POLL_MS = '200';
    planes = await startInProcessPlanes();
  }, 120_000);
  afterAll(async () => planes?.close());

  it('before, during and after: each URL names the right issuer; tokens follow the issuer; refresh crosses over; the old URL ends', async () => {
    const t = await newTenant('mig');
    expect(await discoveredIssuer(t.old)).toBe(t.old);
    expect(await discoveredIssuer(t.next)).toBe('400 invalid_tenant');
    // A refresh token issued under the old issuer before the migration, and one during it.
    const before = await directAuthz(t.old, t.apiToken, {
      sub: 'alice',
      client_id: t.clientId,
      scope: ['read'],
      long_lived: true,
      refresh_token: { issue: true },
    });

    const migration = await start(t.tid, { new_issuer: t.next, window_seconds: 120 });
    expect(migration).toMatchObject({ old_issuer: t.old, new_issuer: t.next });
    await inWindow(t.tid, migration.id);

    // During the window: both URLs served, each under its own name; the new one is the primary.
    expect(await discoveredIssuer(t.old)).toBe(t.old);
    expect(await discoveredIssuer(t.next)).toBe(t.next);
    expect(await tenantOf(t.tid)).toMatchObject({ issuer: t.next });
    expect((await tenantOf(t.tid)).aliases).toContainEqual({ issuer: t.old, mode: 'MIGRATION' });
    const viaHeader = await planes.dp.app.inject({
      method: 'GET',
      url: '/.well-known/openid-configuration',
      headers: { 'tenant-id': t.tid },
    });
    expect(viaHeader.json().issuer).toBe(t.next);

    // An access token issued under the old issuer is active there and inactive under the new one.
    const at = (await postForm(`${t.old}/token`, { grant_type: 'client_credentials', scope: 'read' }, t.auth)).body
      .access_token as string;
    expect(jwtIssuer(at)).toBe(t.old);
    expect((await postForm(`${t.old}/token/introspect`, { token: at }, t.auth)).body.active).toBe(true);
    expect((await postForm(`${t.next}/token/introspect`, { token: at }, t.auth)).body.active).toBe(false);

    // MIGRATION mode: refresh tokens issued under the old issuer are redeemed under the new one, for the new one.
    const during = await directAuthz(t.old, t.apiToken, {
      sub: 'bob',
      client_id: t.clientId,
      scope: ['read'],
      long_lived: true,
      refresh_token: { issue: true },
    });
    for (const rt of [before.refresh_token!, during.refresh_token!]) {
      const refreshed = await postForm(`${t.next}/token`, { grant_type: 'refresh_token', refresh_token: rt }, t.auth);
      expect(refreshed.status).toBe(200);
      expect(jwtIssuer(refreshed.body.access_token as string)).toBe(t.next);
    }

    // The progress query counts what still arrives under the old issuer.
    for (let i = 0; i < 4; i++) expect(await discoveredIssuer(t.old)).toBe(t.old);
    await expect
      .poll(async () => (await progress(t.tid, migration.id)).old_issuer_requests, { timeout: 5000, interval: 200 })
      .toBeGreaterThanOrEqual(4);

    // End the window early.
    const completed = await api('POST', `/tenants/rest/v1/${t.tid}/issuer-migrations/${migration.id}/complete`);
    expect(completed.statusCode).toBe(202);
    expect(await migrationResult(planes.temporal, t.tid, migration.id)).toEqual({ status: 'completed' });
    expect((await progress(t.tid, migration.id)).state).toBe('completed');

    await expect.poll(() => discoveredIssuer(t.old), { timeout: 2000, interval: 20 }).toBe('400 invalid_tenant');
    expect(await discoveredIssuer(t.next)).toBe(t.next);
    expect(await tenantOf(t.tid)).toMatchObject({
      issuer: t.next,
      aliases: [{ issuer: `${t.old}-kept`, mode: 'PERSISTED_GRANT_ISOLATION' }],
    });
    // Refresh tokens from the old issuer keep working under the new one after the move.
    expect(
      (await postForm(`${t.next}/token`, { grant_type: 'refresh_token', refresh_token: before.refresh_token! }, t.auth))
        .status,
    ).toBe(200);
    // A finished migration takes no more signals.
    expect((await api('POST', `/tenants/rest/v1/${t.tid}/issuer-migrations/${migration.id}/cancel`)).statusCode).toBe(
      409,
    );
  }, 60_000);

  it('a window that runs out drops the old URL by itself', async () => {
    const t = await newTenant('mig-timer');
    const migration = await start(t.tid, { new_issuer: t.next, window_seconds: 2 });
    expect(await migrationResult(planes.temporal, t.tid, migration.id)).toEqual({ status: 'completed' });
    await expect.poll(() => discoveredIssuer(t.old), { timeout: 2000, interval: 20 }).toBe('400 invalid_tenant');
    expect(await discoveredIssuer(t.next)).toBe(t.next);
  }, 60_000);

  it('cancelling restores the old state exactly', async () => {
    const t = await newTenant('mig-cancel');
    const original = await tenantOf(t.tid);
    const migration = await start(t.tid, { new_issuer: t.next, window_seconds: 120 });
    await inWindow(t.tid, migration.id);
    expect(await discoveredIssuer(t.next)).toBe(t.next);

    const cancelled = await api('POST', `/tenants/rest/v1/${t.tid}/issuer-migrations/${migration.id}/cancel`);
    expect(cancelled.statusCode).toBe(202);
    expect(await migrationResult(planes.temporal, t.tid, migration.id)).toEqual({ status: 'cancelled' });
    expect((await progress(t.tid, migration.id)).state).toBe('cancelled');

    const restored = await tenantOf(t.tid);
    expect({ issuer: restored.issuer, aliases: restored.aliases }).toEqual({
      issuer: original.issuer,
      aliases: original.aliases,
    });
    await expect.poll(() => discoveredIssuer(t.next), { timeout: 2000, interval: 20 }).toBe('400 invalid_tenant');
    expect(await discoveredIssuer(t.old)).toBe(t.old);
    // The URL is free again: a new migration to it can start.
    const again = await start(t.tid, { new_issuer: t.next, window_seconds: 120 });
    await api('POST', `/tenants/rest/v1/${t.tid}/issuer-migrations/${again.id}/cancel`);
    expect(await migrationResult(planes.temporal, t.tid, again.id)).toEqual({ status: 'cancelled' });
  }, 60_000);

  it('refuses bad requests with a 4xx and starts nothing', async () => {
    const t = await newTenant('mig-bad');
    const other = await newTenant('mig-other');
    const original = await tenantOf(t.tid);
    const cases: Array<[string, unknown, number, string]> = [
      [t.tid, { new_issuer: 'not a url', window_seconds: 10 }, 400, 'invalid_request'],
      [t.tid, { new_issuer: 'https://x.example.com/', window_seconds: 10 }, 400, 'invalid_request'],
      [t.tid, { new_issuer: 'https://x.example.com', window_seconds: 0 }, 400, 'invalid_request'],
      [t.tid, { new_issuer: 'https://x.example.com' }, 400, 'invalid_request'],
      [t.tid, { new_issuer: other.old, window_seconds: 10 }, 409, 'issuer_taken'],
      [t.tid, { new_issuer: `${t.old}-kept`, window_seconds: 10 }, 409, 'issuer_taken'],
      ['no-such-tenant-xyz', { new_issuer: 'https://x.example.com', window_seconds: 10 }, 404, 'tenant_not_found'],
    ];
    for (const [tid, body, status, error] of cases) {
      const res = await api('POST', `/tenants/rest/v1/${tid}/issuer-migrations`, body);
      expect({ body, status: res.statusCode, error: res.json().error }).toEqual({ body, status, error });
    }
    const running = await start(t.tid, { new_issuer: t.next, window_seconds: 120 });
    const second = await api('POST', `/tenants/rest/v1/${t.tid}/issuer-migrations`, {
      new_issuer: `${t.next}-b`,
      window_seconds: 10,
    });
    expect(second.statusCode).toBe(409);
    expect(second.json().error).toBe('migration_in_progress');
    expect((await api('GET', `/tenants/rest/v1/${t.tid}/issuer-migrations/not-a-run-id`)).statusCode).toBe(400);
    const unknown = await api('GET', `/tenants/rest/v1/${t.tid}/issuer-migrations/${crypto.randomUUID()}`);
    expect({ status: unknown.statusCode, error: unknown.json().error }).toEqual({
      status: 404,
      error: 'migration_not_found',
    });
    const unknownSignal = await api(
      'POST',
      `/tenants/rest/v1/${t.tid}/issuer-migrations/${crypto.randomUUID()}/complete`,
    );
    expect(unknownSignal.statusCode).toBe(404);
    await api('POST', `/tenants/rest/v1/${t.tid}/issuer-migrations/${running.id}/cancel`);
    expect(await migrationResult(planes.temporal, t.tid, running.id)).toEqual({ status: 'cancelled' });
    expect(await tenantOf(t.tid)).toMatchObject({ issuer: original.issuer, aliases: original.aliases });
  }, 60_000);
});
