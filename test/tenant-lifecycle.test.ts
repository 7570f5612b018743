import { WorkflowNotFoundError } from '@temporalio/client';
import { provisionWorkflowId } from '@tessera/control-plane/workflows/ids';
import { sha256Hex } from '@tessera/shared/http/api-token';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTid } from './support/env.ts';
import { hsmTokensOf } from './support/hsm-tokens.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { tenantRows } from './support/tenant-rows.ts';

/**
 * Tenant lifecycle through the control plane API and the real Temporal dev
 * server: provisionTenant (and its compensation, with a test fault), suspend
 * and resume, API tokens, deprovisionTenant — checked on a listening
 * data-plane node, in Postgres, Redis and SoftHSM.
 */
describe('tenant lifecycle through Temporal workflows', () => {
  let planes: InProcessPlanes;
  let auth: Record<string, string>;
  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    planes.cp.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  const discovery = (issuer: string) => fetch(`${issuer}/.well-known/openid-configuration`);

  beforeAll(async () => {
    // Two activities fail for good for tids with these prefixes: one late (after keys and publication), one early (right after the HSM token).
    planes = await startInProcessPlanes({ faults: 'fail:smokeCheck:late-,fail:createInitialKeys:early-' });
    auth = { authorization: `Bearer ${planes.s.operatorKey}` };
  });
  afterAll(async () => planes?.close());

  it('creates a tenant: 202 provisioning, then active within seconds, served by a data-plane node with keys in its own HSM token', async () => {
    const tid = uniqueTid('prov');
    const issuer = `${planes.dataPlaneUrl}/${tid}`;
    const started = Date.now();
    const res = await api('POST', '/tenants/rest/v1', { tid, name: 'Provisioned', issuer });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ tid, status: 'provisioning', issuer });
    const apiToken = res.json().api_token as string;
    expect(apiToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    await expect
      .poll(async () => (await api('GET', `/tenants/rest/v1/${tid}`)).json().status, { timeout: 15_000, interval: 100 })
      .toBe('active');
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeLessThan(15);

    // Discovery and JWKS over HTTP from the data-plane node, under the tenant's issuer.
    const doc = await discovery(issuer);
    expect(doc.status).toBe(200);
    const metadata = (await doc.json()) as { issuer: string; jwks_uri: string };
    expect(metadata.issuer).toBe(issuer);
    const jwks = (await (await fetch(`${issuer}/jwks.json`)).json()) as { keys: Array<{ kid: string; alg: string }> };
    const rows = await planes.s.db
      .selectFrom('tenant_keys')
      .select(['kid', 'alg', 'backend'])
      .where('tid', '=', tid)
      .execute();
    expect(rows.map((r) => r.alg).sort()).toEqual(['ES256', 'EdDSA', 'RS256', 'RSA-OAEP-256']);
    expect(new Set(rows.map((r) => r.backend))).toEqual(new Set(['pkcs11']));
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual(rows.map((r) => r.kid).sort());

    // Its own SoftHSM token, exactly one, and one set of rows.
    expect(hsmTokensOf(tid)).toBe(1);
    expect(await tenantRows(planes.s.db, tid)).toMatchObject({
      tenants: 1,
      tenant_configs: 1,
      tenant_keys: 4,
      tenant_hsm_tokens: 1,
      tenant_secrets: 4,
      tenant_api_tokens: 1,
    });

    // The API token works on the data plane's integration API, and Temporal's history never saw it (only its hash).
    const keyStore = await fetch(`${issuer}/key-store/rest/v1/op`, {
      headers: { authorization: `Bearer ${apiToken}` },
    });
    expect(keyStore.status).toBe(200);
    const history = await planes.temporal.workflow.getHandle(provisionWorkflowId(tid)).fetchHistory();
    const payloads = (history.events ?? [])
      .flatMap((e) => [
        e.workflowExecutionStartedEventAttributes?.input,
        e.activityTaskScheduledEventAttributes?.input,
        e.workflowExecutionCompletedEventAttributes?.result,
      ])
      .flatMap((p) => p?.payloads ?? [])
      .map((p) => Buffer.from(p.data ?? []).toString('utf8'))
      .join('\n');
    expect(payloads).toContain(sha256Hex(apiToken));
    expect(payloads).not.toContain(apiToken);
  });

  it('answers 201 with the active tenant when asked to wait', async () => {
    const tid = uniqueTid('wait');
    const res = await api('POST', '/tenants/rest/v1?wait=true', {
      tid,
      name: 'Waited',
      issuer: `${planes.dataPlaneUrl}/${tid}`,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ tid, status: 'active', status_reason: null });
    expect(res.headers.location).toBe(`/tenants/rest/v1/${tid}`);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  for (const [prefix, step] of [
    ['late', 'smokeCheck'],
    ['early', 'createInitialKeys'],
  ] as const) {
    it(`compensates a step failing for good (${step}): tenant failed with the reason, no HSM token, no key or token rows`, async () => {
      const tid = uniqueTid(prefix);
      const issuer = `${planes.dataPlaneUrl}/${tid}`;
      const res = await api('POST', '/tenants/rest/v1?wait=true', {
        tid,
        name: 'Doomed',
        issuer,
        aliases: [{ issuer: `${issuer}-alias`, mode: 'MIGRATION' }],
      });
      expect(res.statusCode).toBe(502);
      expect(res.json()).toMatchObject({ error: 'provisioning_failed' });
      expect(res.json().error_description).toContain(step);

      const view = (await api('GET', `/tenants/rest/v1/${tid}`)).json();
      expect(view.status).toBe('failed');
      expect(view.status_reason).toContain(`${step}: test fault injected`);
      const audit = await planes.s.db
        .selectFrom('audit_log')
        .select(['actor', 'details'])
        .where('tid', '=', tid)
        .where('action', '=', 'tenant.provisioning_failed')
        .execute();
      expect(audit).toEqual([{ actor: 'system', details: { reason: expect.stringContaining(step) } }]);
      expect(hsmTokensOf(tid)).toBe(0);
      // Only the record (and the config it is read with) stays, to show the reason.
      expect(await tenantRows(planes.s.db, tid)).toEqual({
        tenants: 1,
        tenant_configs: 1,
        issuer_aliases: 0,
        tenant_keys: 0,
        tenant_hsm_tokens: 0,
        tenant_secrets: 0,
        tenant_api_tokens: 0,
        clients: 0,
        authorizations: 0,
        refresh_tokens: 0,
        revocations: 0,
      });
      // The data plane does not serve it; the alias URL is free again.
      await expect.poll(async () => (await discovery(issuer)).status, { timeout: 5000 }).toBe(400);
      const again = await api('POST', '/tenants/rest/v1', {
        tid: uniqueTid('reuse'),
        name: 'Reuses the alias',
        issuer: `${issuer}-alias`,
      });
      expect(again.statusCode).toBe(202);

      // A failed tenant is deleted like any other, leaving nothing.
      expect((await api('DELETE', `/tenants/rest/v1/${tid}?wait=true`)).statusCode).toBe(204);
      expect((await tenantRows(planes.s.db, tid)).tenants).toBe(0);
    });
  }

  it('suspends and resumes: data-plane nodes answer 403 tenant_suspended, then serve again', async () => {
    const { tid, tenant } = await planes.createTenant({
      tid: uniqueTid('susp'),
      name: 'Suspended',
      issuer: `${planes.dataPlaneUrl}/${uniqueTid('s')}`,
    });
    const issuer = tenant.issuer as string;
    const suspended = await api('POST', `/tenants/rest/v1/${tid}/suspend`);
    expect(suspended.statusCode).toBe(200);
    expect(suspended.json().status).toBe('suspended');
    await expect.poll(async () => (await discovery(issuer)).status, { timeout: 5000 }).toBe(403);
    expect(((await (await discovery(issuer)).json()) as { error: string }).error).toBe('tenant_suspended');
    expect((await api('POST', `/tenants/rest/v1/${tid}/suspend`)).statusCode).toBe(200); // repeating is harmless

    const resumed = await api('POST', `/tenants/rest/v1/${tid}/resume`);
    expect(resumed.json().status).toBe('active');
    await expect.poll(async () => (await discovery(issuer)).status, { timeout: 5000 }).toBe(200);
    expect((await api('POST', `/tenants/rest/v1/${uniqueTid('none')}/suspend`)).statusCode).toBe(404);
  });

  it('mints API tokens (shown once, SHA-256 at rest) and revokes them; data-plane nodes follow', async () => {
    const { tid, tenant } = await planes.createTenant({
      tid: uniqueTid('tok'),
      name: 'Tokens',
      issuer: `${planes.dataPlaneUrl}/${uniqueTid('t')}`,
    });
    const issuer = tenant.issuer as string;
    const minted = await api('POST', `/tenants/rest/v1/${tid}/api-tokens`, { label: 'ci' });
    expect(minted.statusCode).toBe(201);
    const { id, api_token: token, label } = minted.json() as { id: string; api_token: string; label: string };
    expect(label).toBe('ci');
    const row = await planes.s.db
      .selectFrom('tenant_api_tokens')
      .select(['token_sha256'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.token_sha256).toBe(sha256Hex(token));
    const listed = (await api('GET', `/tenants/rest/v1/${tid}/api-tokens`)).json() as {
      api_tokens: Array<Record<string, unknown>>;
    };
    expect(listed.api_tokens.map((t) => t.label).sort()).toEqual(['ci', 'initial']);
    expect(JSON.stringify(listed)).not.toContain(token);

    const use = () =>
      fetch(`${issuer}/key-store/rest/v1/op`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    await expect.poll(use, { timeout: 5000 }).toBe(200);
    expect((await api('DELETE', `/tenants/rest/v1/${tid}/api-tokens/${id}`)).statusCode).toBe(204);
    await expect.poll(use, { timeout: 5000 }).toBe(401);
    expect(
      (await api('DELETE', `/tenants/rest/v1/${tid}/api-tokens/00000000-0000-0000-0000-000000000000`)).statusCode,
    ).toBe(404);
    expect((await api('DELETE', `/tenants/rest/v1/${tid}/api-tokens/not-a-uuid`)).statusCode).toBe(400);
    // No body at all is fine too (label "api").
    const bare = await planes.cp.inject({ method: 'POST', url: `/tenants/rest/v1/${tid}/api-tokens`, headers: auth });
    expect(bare.statusCode).toBe(201);
    expect(bare.json().label).toBe('api');
  });

  it('deprovisions: tokens and sessions revoked, HSM token destroyed, every row gone, nodes stop serving', async () => {
    const { tid, tenant } = await planes.createTenant({
      tid: uniqueTid('gone'),
      name: 'Gone',
      issuer: `${planes.dataPlaneUrl}/${uniqueTid('g')}`,
    });
    const issuer = tenant.issuer as string;
    // Stand-ins for what the data plane keeps in Redis for a tenant, and a neighbour's key that must survive.
    await planes.s.redis.set(`at:${tid}:abc`, '{}');
    await planes.s.redis.set(`sess:${tid}:def`, '{}');
    await planes.s.redis.set(`at:${tid}x:abc`, '{}');
    expect(hsmTokensOf(tid)).toBe(1);

    const res = await api('DELETE', `/tenants/rest/v1/${tid}`);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ tid, status: 'deprovisioning' });
    await expect
      .poll(async () => (await api('GET', `/tenants/rest/v1/${tid}`)).statusCode, { timeout: 15_000, interval: 100 })
      .toBe(404);

    expect(Object.values(await tenantRows(planes.s.db, tid)).every((n) => n === 0)).toBe(true);
    expect(hsmTokensOf(tid)).toBe(0);
    expect(await planes.s.redis.exists(`at:${tid}:abc`, `sess:${tid}:def`)).toBe(0);
    expect(await planes.s.redis.get(`at:${tid}x:abc`)).toBe('{}');
    await expect.poll(async () => (await discovery(issuer)).status, { timeout: 5000 }).toBe(400);
    await expect.poll(() => planes.dp.index.primaryIssuerOf(tid), { timeout: 5000 }).toBeUndefined();
    expect((await api('DELETE', `/tenants/rest/v1/${tid}`)).statusCode).toBe(404);

    // The tid can be used again: a new provisioning run under the same workflow id.
    const again = await api('POST', '/tenants/rest/v1?wait=true', { tid, name: 'Back', issuer });
    expect(again.statusCode).toBe(201);
    expect(hsmTokensOf(tid)).toBe(1);
  });

  it('leaves no workflow behind for a request it refuses', async () => {
    const tid = uniqueTid('nowf');
    const res = await api('POST', '/tenants/rest/v1', {
      tid,
      name: 'Bad plan',
      issuer: `${planes.dataPlaneUrl}/${tid}`,
      plan: 'platinum',
    });
    expect(res.statusCode).toBe(400);
    await expect(planes.temporal.workflow.getHandle(provisionWorkflowId(tid)).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
  });
});
