import { WorkflowNotFoundError } from '@temporalio/client';
import { createRedis } from '@tessera/shared/redis';
import { tenantChangeChannel } from '@tessera/shared/tenancy/change-channel';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServices } from '../../test/support/env.ts';
import { uniqueTid } from '../../test/support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from '../../test/support/planes.ts';
import { provisionWorkflowId } from '../src/workflows/ids.ts';

describe('control plane: tenants registry API', () => {
  let planes: InProcessPlanes;
  let s: TestServices;
  let app: FastifyInstance;
  let auth: Record<string, string>;

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    s = planes.s;
    app = planes.cp;
    auth = { authorization: `Bearer ${s.operatorKey}` };
  });
  afterAll(async () => {
    await planes.close();
  });

  // ?wait=true: answered once provisionTenant is done, so the tenant is active (201).
  const create = (body: unknown) =>
    app.inject({ method: 'POST', url: '/tenants/rest/v1?wait=true', headers: auth, payload: body as object });

  it('refuses calls without the operator key, or with a wrong one', async () => {
    const none = await app.inject({ method: 'GET', url: '/tenants/rest/v1' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.json()).toMatchObject({ error: 'missing_token' });
    const wrong = await app.inject({
      method: 'GET',
      url: '/tenants/rest/v1',
      headers: { authorization: 'Bearer not-the-key' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: 'invalid_token' });
    const health = await app.inject({ method: 'GET', url: '/monitor/v1/healthcheck' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ postgres: { healthy: true }, redis: { healthy: true } });
  });

  it('creates a tenant with keys and a one-time API token, and announces it', async () => {
    const tid = uniqueTid('acme');
    const subscriber = createRedis(s.settings.redisUrl, s.settings.redisPrefix);
    const heard: string[] = [];
    await subscriber.subscribe(tenantChangeChannel(s.settings.redisPrefix));
    subscriber.on('message', (_c: string, m: string) => heard.push(m));

    const res = await create({ tid, name: 'Acme', issuer: `https://${tid}.example.com`, attrs: { tier: 'gold' } });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      tid,
      name: 'Acme',
      status: 'active',
      plan: 'free',
      config_version: 1,
      attrs: { tier: 'gold' },
    });
    expect(body.config.tokens.accessTokenLifetime).toBe(600);
    expect(body.api_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.headers.location).toBe(`/tenants/rest/v1/${tid}`);

    const keys = await s.db
      .selectFrom('tenant_keys')
      .select(['alg', 'use', 'backend'])
      .where('tid', '=', tid)
      .execute();
    expect(keys.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'RS256', 'RSA-OAEP-256']);
    // an HSM is configured in the test run, so it is the default backend
    expect(new Set(keys.map((k) => k.backend))).toEqual(new Set(['pkcs11']));
    expect(body.config.keys.backend).toBe('pkcs11');
    const secrets = await s.db.selectFrom('tenant_secrets').select('purpose').where('tid', '=', tid).execute();
    expect(secrets.map((r) => r.purpose).sort()).toEqual([
      'access-token-enc',
      'identifier-hmac',
      'refresh-token-enc',
      'subject-enc',
    ]);
    const tokens = await s.db.selectFrom('tenant_api_tokens').select('token_sha256').where('tid', '=', tid).execute();
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.token_sha256).not.toBe(body.api_token);

    const read = await app.inject({ method: 'GET', url: `/tenants/rest/v1/${tid}`, headers: auth });
    expect(read.statusCode).toBe(200);
    expect(read.json().api_token).toBeUndefined();

    // The message carries its publish time too (`at`, for the pub/sub lag metric).
    await expect
      .poll(() => heard.map((m) => JSON.parse(m) as Record<string, unknown>))
      .toContainEqual({ tid, kind: 'upsert', at: expect.any(Number) });
    subscriber.disconnect();
  });

  it('answers 409 for a duplicate tid or an issuer already in use, writing nothing', async () => {
    const tid = uniqueTid('dup');
    expect((await create({ tid, name: 'A', issuer: `https://${tid}.example.com` })).statusCode).toBe(201);
    const again = await create({ tid, name: 'B', issuer: `https://${tid}-other.example.com` });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toBe('tenant_exists');
    const tid2 = uniqueTid('dup');
    const sameIssuer = await create({ tid: tid2, name: 'C', issuer: `https://${tid}.example.com` });
    expect(sameIssuer.statusCode).toBe(409);
    expect(sameIssuer.json().error).toBe('issuer_taken');
    expect(await s.db.selectFrom('tenants').select('tid').where('tid', '=', tid2).executeTakeFirst()).toBeUndefined();
    expect(
      await s.db.selectFrom('tenant_keys').select('kid').where('tid', '=', tid2).executeTakeFirst(),
    ).toBeUndefined();
  });

  it('lists every problem of an invalid tenant with its path', async () => {
    const res = await create({
      tid: 'Not_A_Label',
      name: 'X',
      issuer: 'http://example.com/x?y=1',
      aliases: [{ issuer: 'ftp://example.com', mode: 'MIGRATION' }],
      config: { tokens: { idTokenLifetime: 0 } },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('invalid_request');
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '$.aliases[0].issuer',
      '$.config.tokens.idTokenLifetime',
      '$.issuer',
      '$.tid',
    ]);
  });

  it('rejects malformed JSON, unknown members and wrong types with 400 and a message', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/tenants/rest/v1',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"tid":',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_request' });
    expect(bad.body).not.toContain('    at ');
    const unknown = await create({ tid: uniqueTid('u'), name: 'U', issuer: 'https://u.example.com', colour: 'red' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error_description).toMatch(/additional properties|colour/i);
    const wrongType = await create({ tid: 5, name: 'U', issuer: 'https://u.example.com' });
    expect(wrongType.statusCode).toBe(400);
  });

  it('refuses bad input with a clear 4xx, leaving no tenant row and no workflow behind', async () => {
    const raw = (payload: string, contentType = 'application/json') =>
      app.inject({
        method: 'POST',
        url: '/tenants/rest/v1?wait=true',
        headers: { ...auth, 'content-type': contentType },
        payload,
      });
    const cases: Array<{
      what: string;
      tid: string;
      send: (tid: string) => ReturnType<typeof raw>;
      status: number;
      error: string;
      path?: string;
    }> = [
      {
        what: 'invalid tid',
        tid: 'Bad_Tid-',
        send: (tid) => raw(JSON.stringify({ tid, name: 'X', issuer: 'https://bad-tid.example.com' })),
        status: 400,
        error: 'invalid_request',
        path: '$.tid',
      },
      {
        what: 'too long a tid',
        tid: 'a'.repeat(64),
        send: (tid) => raw(JSON.stringify({ tid, name: 'X', issuer: 'https://long-tid.example.com' })),
        status: 400,
        error: 'invalid_request',
      },
      {
        what: 'invalid config',
        tid: uniqueTid('badcfg'),
        send: (tid) =>
          raw(
            JSON.stringify({
              tid,
              name: 'X',
              issuer: `https://${tid}.example.com`,
              config: { keys: { signingAlgorithms: ['HS1024'] } },
            }),
          ),
        status: 400,
        error: 'invalid_request',
        path: '$.config.keys.signingAlgorithms[0]',
      },
      {
        what: 'unknown plan',
        tid: uniqueTid('badplan'),
        send: (tid) => raw(JSON.stringify({ tid, name: 'X', issuer: `https://${tid}.example.com`, plan: 'platinum' })),
        status: 400,
        error: 'invalid_request',
        path: '$.plan',
      },
      {
        what: 'oversized body',
        tid: uniqueTid('huge'),
        send: (tid) =>
          raw(
            JSON.stringify({
              tid,
              name: 'X',
              issuer: `https://${tid}.example.com`,
              attrs: { blob: 'x'.repeat(1_100_000) },
            }),
          ),
        status: 400,
        error: 'invalid_request',
      },
      {
        what: 'malformed JSON',
        tid: uniqueTid('malformed'),
        send: (tid) => raw(`{"tid":"${tid}","name":`),
        status: 400,
        error: 'invalid_request',
      },
      {
        what: 'not JSON at all',
        tid: uniqueTid('text'),
        send: (tid) => raw(`tid=${tid}`, 'text/plain'),
        status: 400,
        error: 'invalid_request',
      },
    ];
    for (const c of cases) {
      const res = await c.send(c.tid);
      expect(res.statusCode, c.what).toBe(c.status);
      const body = res.json();
      expect(body.error, c.what).toBe(c.error);
      expect(typeof body.error_description, c.what).toBe('string');
      if (c.path)
        expect(
          body.errors.map((e: { path: string }) => e.path),
          c.what,
        ).toContain(c.path);
      expect(
        await s.db.selectFrom('tenants').select('tid').where('tid', '=', c.tid).executeTakeFirst(),
        c.what,
      ).toBeUndefined();
      await expect(
        planes.temporal.workflow.getHandle(provisionWorkflowId(c.tid)).describe(),
        c.what,
      ).rejects.toBeInstanceOf(WorkflowNotFoundError);
    }

    // A duplicate tid: 409, and the tenant's one provisioning run stays the only one.
    const tid = uniqueTid('dupwf');
    expect((await create({ tid, name: 'First', issuer: `https://${tid}.example.com` })).statusCode).toBe(201);
    const before = await planes.temporal.workflow.getHandle(provisionWorkflowId(tid)).describe();
    const dup = await create({ tid, name: 'Second', issuer: `https://${tid}-2.example.com` });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toBe('tenant_exists');
    const after = await planes.temporal.workflow.getHandle(provisionWorkflowId(tid)).describe();
    expect(after.runId).toBe(before.runId);
    expect((await app.inject({ method: 'GET', url: `/tenants/rest/v1/${tid}`, headers: auth })).json().name).toBe(
      'First',
    );
  });

  it('pages through tenants with a cursor', async () => {
    const prefix = uniqueTid('page');
    for (const n of [1, 2, 3]) {
      expect(
        (await create({ tid: `${prefix}-${n}`, name: `P${n}`, issuer: `https://${prefix}-${n}.example.com` }))
          .statusCode,
      ).toBe(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await app.inject({ method: 'GET', url: `/tenants/rest/v1?${query}`, headers: auth });
      expect(page.statusCode).toBe(200);
      const body = page.json() as { tenants: Array<{ tid: string }>; next_cursor: string | null };
      expect(body.tenants.length).toBeLessThanOrEqual(2);
      seen.push(...body.tenants.map((t) => t.tid));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen.filter((t) => t.startsWith(prefix))).toEqual([`${prefix}-1`, `${prefix}-2`, `${prefix}-3`]);
    expect([...seen].sort()).toEqual(seen);
    expect((await app.inject({ method: 'GET', url: '/tenants/rest/v1?limit=0', headers: auth })).statusCode).toBe(400);
  });

  it('patches a tenant: a config change is a new, validated version', async () => {
    const tid = uniqueTid('patch');
    await create({ tid, name: 'Before', issuer: `https://${tid}.example.com` });
    const invalid = await app.inject({
      method: 'PATCH',
      url: `/tenants/rest/v1/${tid}`,
      headers: auth,
      payload: { config: { tokens: { accessTokenLifetime: 'long' } } },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().errors[0].path).toBe('$.config.tokens.accessTokenLifetime');

    const ok = await app.inject({
      method: 'PATCH',
      url: `/tenants/rest/v1/${tid}`,
      headers: auth,
      payload: { name: 'After', config: { tokens: { accessTokenLifetime: 120 } } },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ name: 'After', config_version: 2 });
    expect(ok.json().config.tokens.accessTokenLifetime).toBe(120);
    const versions = await s.db
      .selectFrom('tenant_configs')
      .select('version')
      .where('tid', '=', tid)
      .orderBy('version')
      .execute();
    expect(versions.map((v) => v.version)).toEqual([1, 2]);

    const missing = await app.inject({
      method: 'PATCH',
      url: `/tenants/rest/v1/${uniqueTid('none')}`,
      headers: auth,
      payload: { name: 'x' },
    });
    expect(missing.statusCode).toBe(404);
    const empty = await app.inject({ method: 'PATCH', url: `/tenants/rest/v1/${tid}`, headers: auth, payload: {} });
    expect(empty.statusCode).toBe(400);
  });

  it('answers 404 for an unknown tenant and serves its OpenAPI document', async () => {
    const res = await app.inject({ method: 'GET', url: `/tenants/rest/v1/${uniqueTid('ghost')}`, headers: auth });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toBe('tenant_not_found');
    const doc = await app.inject({ method: 'GET', url: '/openapi.json', headers: auth });
    expect(doc.statusCode).toBe(200);
    const paths = Object.keys(doc.json().paths);
    expect(paths).toEqual(expect.arrayContaining(['/tenants/rest/v1', '/tenants/rest/v1/{tid}', '/config/check']));
    expect(doc.json().openapi).toBe('3.1.0');
  });
});
