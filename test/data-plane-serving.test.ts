import type { DataPlane } from '@tessera/data-plane/server';
import { publishTenantChange } from '@tessera/shared/tenancy/change-channel';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServices, uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

describe('data plane: tenant resolution, discovery and JWKS (PostgreSQL + Redis)', () => {
  let planes: InProcessPlanes;
  let s: TestServices;
  let cp: FastifyInstance;
  let dp: DataPlane;
  const tid = uniqueTid('serve');
  const issuer = `http://localhost:8080/${tid}`;
  const get = (url: string, headers: Record<string, string> = {}) =>
    dp.app.inject({ method: 'GET', url, headers: { host: 'localhost:8080', ...headers } });

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    ({ s, cp, dp } = planes);
    await planes.createTenant({ tid, name: 'Serve', issuer });
  });
  afterAll(async () => planes.close());

  it('serves discovery by URL path, Tenant-ID header, Issuer header and RFC 8414 path insertion', async () => {
    const urls: Array<[string, Record<string, string>]> = [
      [`/${tid}/.well-known/openid-configuration`, {}],
      ['/.well-known/openid-configuration', { 'tenant-id': tid }],
      ['/.well-known/openid-configuration', { issuer }],
      [`/${tid}/.well-known/oauth-authorization-server`, {}],
      [`/.well-known/oauth-authorization-server/${tid}`, {}],
    ];
    for (const [url, headers] of urls) {
      const res = await get(url, headers);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const metadata = res.json();
      expect(metadata.issuer).toBe(issuer);
      expect(metadata.jwks_uri).toBe(`${issuer}/jwks.json`);
      expect(metadata.token_endpoint).toBe(`${issuer}/token`);
      // the front channel, as the tenant's config enables it (default: the code flow)
      expect(metadata.authorization_endpoint).toBe(`${issuer}/login`);
      expect(metadata.response_types_supported).toEqual(['code']);
      expect(metadata.grant_types_supported).toContain('authorization_code');
      expect(metadata.userinfo_endpoint).toBe(`${issuer}/userinfo`);
      expect(metadata.id_token_signing_alg_values_supported).toContain('RS256');
    }
  });

  it('publishes RS256, ES256 and EdDSA signing keys and an RSA-OAEP-256 encryption key, with unique kids and no private members', async () => {
    const res = await get(`/${tid}/jwks.json`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/jwk-set\+json/);
    const { keys } = res.json() as { keys: Array<Record<string, string>> };
    expect(keys.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'RS256', 'RSA-OAEP-256']);
    expect(new Set(keys.map((k) => k.kid)).size).toBe(keys.length);
    for (const key of keys) {
      expect(key.use).toBe(key.alg === 'RSA-OAEP-256' ? 'enc' : 'sig');
      for (const member of PRIVATE_MEMBERS) expect(key[member]).toBeUndefined();
    }
    expect(keys.find((k) => k.alg === 'EdDSA')).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect(keys.find((k) => k.alg === 'ES256')).toMatchObject({ kty: 'EC', crv: 'P-256' });
  });

  it('answers invalid_tenant for unknown tenants, Issuer values and URLs', async () => {
    for (const [url, headers] of [
      ['/nobody/.well-known/openid-configuration', {}],
      ['/.well-known/openid-configuration', { 'tenant-id': 'nobody' }],
      ['/.well-known/openid-configuration', { issuer: `${issuer}/` }],
      ['/', {}],
    ] as Array<[string, Record<string, string>]>) {
      const res = await get(url, headers);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toBe('invalid_tenant');
      expect(typeof res.json().error_description).toBe('string');
    }
    const unknownPath = await get(`/${tid}/no-such-endpoint`);
    expect(unknownPath.statusCode).toBe(404);
    expect(unknownPath.json().error).toBe('not_found');
  });

  it('answers 403 tenant_suspended for a suspended tenant and serves it again once resumed', async () => {
    const other = uniqueTid('susp');
    // Provisioning is a workflow: wait for it (201), so the poll below only measures propagation.
    const created = await cp.inject({
      method: 'POST',
      url: '/tenants/rest/v1?wait=true',
      headers: { authorization: `Bearer ${s.operatorKey}` },
      payload: { tid: other, name: 'S', issuer: `http://localhost:8080/${other}` },
    });
    expect(created.statusCode).toBe(201);
    await expect.poll(async () => (await get(`/${other}/jwks.json`)).statusCode).toBe(200);
    const setStatus = async (status: 'suspended' | 'active') => {
      await s.db.updateTable('tenants').set({ status, updated_at: new Date() }).where('tid', '=', other).execute();
      await publishTenantChange(s.redis, s.settings.redisPrefix, { tid: other, kind: 'upsert' });
    };
    await setStatus('suspended');
    await expect.poll(async () => (await get(`/${other}/jwks.json`)).statusCode).toBe(403);
    expect((await get(`/${other}/jwks.json`)).json().error).toBe('tenant_suspended');
    await setStatus('active');
    await expect.poll(async () => (await get(`/${other}/jwks.json`)).statusCode).toBe(200);
  });

  it('serves an alias under its own issuer URL', async () => {
    const alias = `https://login.${tid}.example.com`;
    await s.db.insertInto('issuer_aliases').values({ issuer: alias, tid, mode: 'MIGRATION' }).execute();
    await publishTenantChange(s.redis, s.settings.redisPrefix, { tid, kind: 'upsert' });
    await expect.poll(() => dp.index.byIssuer(alias)?.tid).toBe(tid);
    const res = await get('/.well-known/openid-configuration', { host: `login.${tid}.example.com` });
    // plain http: the alias is https, so only a trusted proxy's X-Forwarded-Proto could make it match
    expect(res.statusCode).toBe(400);
    const viaHeader = await get('/.well-known/openid-configuration', { issuer: alias });
    expect(viaHeader.json().issuer).toBe(alias);
    expect(viaHeader.json().jwks_uri).toBe(`${alias}/jwks.json`);
  });

  it('catches up after missing a change message: on Redis reconnect and on the resync timer', async () => {
    await s.db
      .updateTable('tenants')
      .set({ status: 'suspended', updated_at: new Date() })
      .where('tid', '=', tid)
      .execute();
    expect((await get(`/${tid}/jwks.json`)).statusCode).toBe(200); // still cached: no message was sent
    dp.subscriber.disconnect(true); // a Redis blip: ioredis reconnects and the sync resyncs
    await expect.poll(async () => (await get(`/${tid}/jwks.json`)).statusCode, { timeout: 5000 }).toBe(403);
    await s.db
      .updateTable('tenants')
      .set({ status: 'active', updated_at: new Date() })
      .where('tid', '=', tid)
      .execute();
    await dp.sync.resync();
    expect((await get(`/${tid}/jwks.json`)).statusCode).toBe(200);
  });

  it('reports health and per-tenant metrics without a tenant', async () => {
    const health = await get('/monitor/v1/healthcheck');
    expect(health.statusCode).toBe(200);
    // the test run configures SoftHSM, so the HSM is checked too
    expect(health.json()).toEqual({ postgres: { healthy: true }, redis: { healthy: true }, hsm: { healthy: true } });
    const metrics = await get('/monitor/v1/metrics', { authorization: `Bearer ${s.monitorToken}` });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain(
      `tessera_data_plane_http_requests_total{tenant="${tid}",route="/jwks.json",method="GET",status="200"}`,
    );
    expect(metrics.body).toMatch(
      /tessera_data_plane_http_requests_total\{tenant="-",route="unmatched",method="GET",status="400"\}/,
    );
  });

  it('answers malformed requests with 400 and no stack trace', async () => {
    const res = await dp.app.inject({ method: 'GET', url: `/${tid}/jwks.json`, headers: { host: 'local host' } });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toMatch(/\n\s+at /);
  });
});
