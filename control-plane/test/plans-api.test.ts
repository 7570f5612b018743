import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCalls } from '../../test/support/admin-calls.ts';
import { uniqueTid } from '../../test/support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from '../../test/support/planes.ts';

const QUOTAS = {
  clients: 2,
  users: 2,
  monthly_active_subjects: 100,
  token_requests_per_second: 5,
  token_requests_burst: 10,
  issuer_aliases: 1,
  api_tokens: 2,
};

/**
 * Plans as data (docs/billing.md): GET /plans/rest/v1 is the price list for
 * every admin caller; PUT and DELETE are the operator's; a changed plan
 * reaches the data-plane nodes of the tenants on it without a restart.
 */
describe('control plane: plans API', () => {
  let planes: InProcessPlanes;
  let planId: string;
  let tid: string;
  const { operator, mint, call } = adminCalls(() => planes);
  const planRow = (id: string) =>
    planes.s.db.selectFrom('plans').select(['name', 'quotas']).where('id', '=', id).executeTakeFirst();

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    planId = uniqueTid('plan');
    const put = await call(operator(), 'PUT', `/plans/rest/v1/${planId}`, { name: 'Small', quotas: QUOTAS });
    expect(put.statusCode, put.body).toBe(201);
    tid = (
      await planes.createTenant({
        tid: uniqueTid('plans'),
        name: 'Plans',
        issuer: `https://${uniqueTid('plans')}.example.com`,
        plan: planId,
      })
    ).tid;
  });
  afterAll(async () => planes?.close());

  it('lists every plan with its quotas, monthly caps and Stripe prices, to a tenant-scoped token too', async () => {
    const scoped = await mint({ tid });
    for (const headers of [operator(), scoped]) {
      const res = await call(headers, 'GET', '/plans/rest/v1');
      expect(res.statusCode).toBe(200);
      const plans = res.json().plans as { id: string }[];
      expect(plans.map((p) => p.id)).toEqual(
        expect.arrayContaining(['free', 'developer', 'business', 'enterprise', planId]),
      );
      expect(plans.find((p) => p.id === 'free')).toEqual({
        id: 'free',
        name: 'Free',
        quotas: expect.objectContaining({ clients: 10, api_tokens: 3, issuer_aliases: 1 }),
        monthly_caps: expect.objectContaining({ tokens: { limit: 100_000, kind: 'hard' } }),
        stripe: {},
        audit_retention_days: 7,
      });
      const one = await call(headers, 'GET', `/plans/rest/v1/${planId}`);
      expect(one.json()).toEqual({
        id: planId,
        name: 'Small',
        quotas: QUOTAS,
        monthly_caps: {},
        stripe: {},
        audit_retention_days: 30,
      });
    }
    const missing = await call(operator(), 'GET', '/plans/rest/v1/no-such-plan');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toBe('plan_not_found');
    const doc = (await call(operator(), 'GET', '/openapi.json')).json() as { paths: Record<string, object> };
    expect(Object.keys(doc.paths['/plans/rest/v1/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'put']);
    expect(doc.paths['/plans/rest/v1']).toHaveProperty('get');
  });

  it('refuses an invalid plan with 400 invalid_plan listing every problem, and stores nothing', async () => {
    const id = uniqueTid('bad');
    const res = await call(operator(), 'PUT', `/plans/rest/v1/${id}`, {
      name: 'Bad',
      quotas: { ...QUOTAS, users: undefined, clients: -1, api_tokens: 1.5, token_requests_burst: 4, seats: 3 },
      monthly_caps: {
        tokens: { limit: 10, kind: 'maybe' },
        logins: { limit: 1, kind: 'hard' },
        sign_ins: { limit: -2, kind: 'soft' },
      },
      stripe: { price_id: 5, meters: { tokens: { price_id: 'price_1' } } },
      audit_retention_days: 0,
    });
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: string; errors: { path: string }[] };
    expect(body.error).toBe('invalid_plan');
    expect(body.errors.map((e) => e.path).sort()).toEqual(
      [
        '$.quotas.users',
        '$.quotas.seats',
        '$.quotas.clients',
        '$.quotas.api_tokens',
        '$.quotas.token_requests_burst',
        '$.monthly_caps.logins',
        '$.monthly_caps.tokens.kind',
        '$.monthly_caps.sign_ins.limit',
        '$.stripe.price_id',
        '$.stripe.meters.tokens.event_name',
        '$.audit_retention_days',
      ].sort(),
    );
    expect(await planRow(id)).toBeUndefined();
  });

  it('lets only the operator (or an unscoped admin token) create, replace or delete a plan', async () => {
    const scoped = await mint({ tid });
    const id = uniqueTid('mine');
    for (const [method, payload] of [
      ['PUT', { name: 'Mine', quotas: { ...QUOTAS, clients: null } }],
      ['DELETE', undefined],
    ] as const) {
      const res = await call(scoped, method, `/plans/rest/v1/${planId}`, payload);
      expect(res.statusCode, method).toBe(403);
      expect(res.json().error_description).toBe(
        'A tenant-scoped admin token may not change plans (it takes the operator key or an unscoped admin token)',
      );
    }
    expect((await call(scoped, 'PUT', `/plans/rest/v1/${id}`, { name: 'Mine', quotas: QUOTAS })).statusCode).toBe(403);
    expect(await planRow(id)).toBeUndefined();
    expect(await planRow(planId)).toMatchObject({ name: 'Small', quotas: QUOTAS });

    const unscoped = await mint({});
    const created = await call(unscoped, 'PUT', `/plans/rest/v1/${id}`, { name: 'Mine', quotas: QUOTAS });
    expect(created.statusCode).toBe(201);
    const replaced = await call(operator(), 'PUT', `/plans/rest/v1/${id}`, {
      name: 'Mine too',
      quotas: { ...QUOTAS, clients: null },
      monthly_caps: { tokens: { limit: 1000, kind: 'soft' } },
      stripe: { price_id: 'price_base', meters: { tokens: { event_name: 'tessera_tokens', price_id: 'price_tok' } } },
    });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({
      name: 'Mine too',
      quotas: { clients: null },
      stripe: { price_id: 'price_base' },
    });
    expect(await planRow(id)).toMatchObject({ name: 'Mine too', quotas: { ...QUOTAS, clients: null } });
    expect((await call(operator(), 'DELETE', `/plans/rest/v1/${id}`)).statusCode).toBe(204);
    expect(await planRow(id)).toBeUndefined();
    expect((await call(operator(), 'DELETE', `/plans/rest/v1/${id}`)).statusCode).toBe(404);
  });

  it('refuses to delete a plan tenants are on (409 plan_in_use)', async () => {
    const res = await call(operator(), 'DELETE', `/plans/rest/v1/${planId}`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toBe('plan_in_use');
    expect(await planRow(planId)).toBeDefined();
  });

  it('puts a tenant only on a plan that exists, naming the known plans', async () => {
    const res = await call(operator(), 'PATCH', `/tenants/rest/v1/${tid}`, { plan: 'pro' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toEqual({ path: '$.plan', message: expect.stringContaining(`"${planId}"`) });
    expect(res.json().errors[0].message).toMatch(/^unknown plan; one of: .*"business"/);
    const created = await call(operator(), 'GET', `/tenants/rest/v1/${tid}`);
    expect(created.json().plan).toBe(planId);
  });

  it('announces every tenant on a changed plan: a data-plane node holds the new limits without a restart', async () => {
    const before = await planes.dp.cache.load(tid);
    expect(before?.tenant.limits.quotas.clients).toBe(2);
    const put = await call(operator(), 'PUT', `/plans/rest/v1/${planId}`, {
      name: 'Small',
      quotas: { ...QUOTAS, clients: 7 },
      monthly_caps: { tokens: { limit: 50, kind: 'hard' } },
    });
    expect(put.statusCode).toBe(200);
    await expect
      .poll(async () => (await planes.dp.cache.load(tid))?.tenant.limits, { timeout: 5000, interval: 20 })
      .toEqual({ quotas: { ...QUOTAS, clients: 7 }, monthly_caps: { tokens: { limit: 50, kind: 'hard' } } });
  });
});
