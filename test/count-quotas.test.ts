import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const LIMIT = { clients: 2, users: 2, issuer_aliases: 1, api_tokens: 3 };

/**
 * Count quotas at creation (docs/billing.md): at the plan's limit a creation
 * is refused with 403 quota_exceeded naming the quota, and nothing is
 * created; parallel creations at the limit create exactly what it allows.
 * The plan is made through PUT /plans/rest/v1 with small quotas.
 */
describe('count quotas: clients, directory users, issuer aliases, API tokens', () => {
  let planes: InProcessPlanes;
  let planId: string;
  let tid: string;
  let apiToken: string;
  const operator = () => ({ authorization: `Bearer ${planes.s.operatorKey}` });
  const refusal = (n: number, words: string) => ({
    error: 'quota_exceeded',
    error_description: `The plan's quota of ${n} ${words} is reached`,
  });
  const count = async (table: 'clients' | 'directory_users' | 'issuer_aliases' | 'tenant_api_tokens') =>
    Number(
      (
        await planes.s.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('tid', '=', tid)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const dataPlane = (method: 'POST', url: string, body: object) =>
    planes.dp.app.inject({
      method,
      url,
      headers: { 'tenant-id': tid, authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
  const controlPlane = (method: 'POST' | 'DELETE' | 'PUT', url: string, payload?: object) =>
    planes.cp.inject({ method, url, headers: operator(), ...(payload ? { payload } : {}) });
  const statuses = (answers: { statusCode: number }[]) => answers.map((a) => a.statusCode).sort();

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    planId = uniqueTid('quota');
    const put = await controlPlane('PUT', `/plans/rest/v1/${planId}`, {
      name: 'Tiny',
      quotas: { ...LIMIT, monthly_active_subjects: null, token_requests_per_second: null, token_requests_burst: null },
    });
    expect(put.statusCode, put.body).toBe(201);
    ({ tid, apiToken } = await planes.createTenant({
      tid: uniqueTid('quota'),
      name: 'Quota',
      issuer: `https://${uniqueTid('quota')}.example.com`,
      plan: planId,
      config: { grants: { grantTypes: ['authorization_code', 'password'], responseTypes: ['code'] } },
    }));
    expect((await planes.dp.cache.load(tid))?.tenant.limits.quotas.clients).toBe(LIMIT.clients);
  });
  afterAll(async () => planes?.close());

  it('clients (RFC 7591 registration): two at once at limit − 1 make one; at the limit 403, nothing created', async () => {
    const client = (name: string) => ({ redirect_uris: ['https://app.example.com/cb'], client_name: name });
    expect((await dataPlane('POST', '/clients', client('first'))).statusCode).toBe(201);
    const raced = await Promise.all([
      dataPlane('POST', '/clients', client('a')),
      dataPlane('POST', '/clients', client('b')),
    ]);
    expect(statuses(raced)).toEqual([201, 403]);
    expect(await count('clients')).toBe(2);

    const refused = await dataPlane('POST', '/clients', client('over'));
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    expect(refused.json()).toEqual(refusal(2, 'clients'));
    expect(await count('clients')).toBe(2);
  });

  it('directory users: two at once at limit − 1 make one; at the limit 403, nothing created', async () => {
    const user = (username: string) => ({ username, password: `pw-${username}-long` });
    const create = (username: string) => dataPlane('POST', '/directory/rest/v1/users', user(username));
    expect((await create('ann')).statusCode).toBe(201);
    expect(statuses(await Promise.all([create('bob'), create('cat')]))).toEqual([201, 403]);
    expect(await count('directory_users')).toBe(2);
    const refused = await create('dan');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual(refusal(2, 'directory users'));
    expect(await count('directory_users')).toBe(2);
  });

  it('issuer aliases: two at once make one; at the limit 403, nothing added; a tenant created with too many is refused', async () => {
    const alias = (n: string) => ({ issuer: `https://alias-${n}-${tid}.example.com`, mode: 'MIGRATION' });
    const raced = await Promise.all([
      controlPlane('POST', `/tenants/rest/v1/${tid}/aliases`, alias('a')),
      controlPlane('POST', `/tenants/rest/v1/${tid}/aliases`, alias('b')),
    ]);
    expect(statuses(raced)).toEqual([201, 403]);
    expect(raced.find((r) => r.statusCode === 403)?.json()).toEqual(refusal(1, 'issuer aliases'));
    expect(await count('issuer_aliases')).toBe(1);
    expect((await controlPlane('POST', `/tenants/rest/v1/${tid}/aliases`, alias('c'))).statusCode).toBe(403);
    expect(await count('issuer_aliases')).toBe(1);

    const other = uniqueTid('quota-new');
    const create = await controlPlane('POST', '/tenants/rest/v1?wait=true', {
      tid: other,
      name: 'Too many aliases',
      issuer: `https://${other}.example.com`,
      plan: planId,
      aliases: [alias('x'), alias('y')],
    });
    expect(create.statusCode).toBe(403);
    expect(create.json()).toEqual(refusal(1, 'issuer aliases'));
    expect(
      await planes.s.db.selectFrom('tenants').select('tid').where('tid', '=', other).executeTakeFirst(),
    ).toBeUndefined();
  });

  it('API tokens: the first one counts, two at once at limit − 1 make one, revoked ones do not count', async () => {
    const mint = () => controlPlane('POST', `/tenants/rest/v1/${tid}/api-tokens`, { label: 'ci' });
    expect(await count('tenant_api_tokens')).toBe(1); // the initial token
    expect((await mint()).statusCode).toBe(201);
    const raced = await Promise.all([mint(), mint()]);
    expect(statuses(raced)).toEqual([201, 403]);
    expect(await count('tenant_api_tokens')).toBe(3);
    const refused = await mint();
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual(refusal(3, 'API tokens'));
    expect(await count('tenant_api_tokens')).toBe(3);

    const minted = raced.find((r) => r.statusCode === 201)!.json() as { id: string };
    expect((await controlPlane('DELETE', `/tenants/rest/v1/${tid}/api-tokens/${minted.id}`)).statusCode).toBe(204);
    expect((await mint()).statusCode).toBe(201);
  });

  it('a raised quota reaches the data plane through the plan: the refused client is then registered', async () => {
    const put = await controlPlane('PUT', `/plans/rest/v1/${planId}`, {
      name: 'Tiny',
      quotas: {
        ...LIMIT,
        clients: 3,
        monthly_active_subjects: null,
        token_requests_per_second: null,
        token_requests_burst: null,
      },
    });
    expect(put.statusCode).toBe(200);
    await expect.poll(async () => (await planes.dp.cache.load(tid))?.tenant.limits.quotas.clients).toBe(3);
    const res = await dataPlane('POST', '/clients', { redirect_uris: ['https://app.example.com/cb'] });
    expect(res.statusCode, res.body).toBe(201);
    expect(await count('clients')).toBe(3);
  });
});
