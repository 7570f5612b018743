import { randomBytes } from 'node:crypto';
import { utcMonth } from '@tessera/shared/billing/metrics';
import { type MonthlyCaps, UNLIMITED } from '@tessera/shared/billing/plan';
import { usageMonthKey } from '@tessera/shared/billing/usage-keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { eventually, uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { type RunningProcess, startPlane } from './support/processes.ts';

/**
 * The plans enforced by the data plane (docs/billing.md): the token rate
 * limit shared by two data-plane processes on one Redis, and hard and soft
 * monthly caps. Plans are made here through the control plane's plan API.
 */
describe('quota enforcement on the data plane', () => {
  let planes: InProcessPlanes;
  let nodes: RunningProcess[];
  const run = randomBytes(3).toString('hex');

  beforeAll(async () => {
    [planes, ...nodes] = await Promise.all([
      startInProcessPlanes(),
      startPlane('data-plane', {}),
      startPlane('data-plane', {}),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all((nodes ?? []).map((n) => n.stop()));
    await planes?.close();
  });

  async function putPlan(id: string, quotas: Partial<typeof UNLIMITED.quotas>, caps: MonthlyCaps = {}) {
    const res = await planes.cp.inject({
      method: 'PUT',
      url: `/plans/rest/v1/${id}`,
      headers: { authorization: `Bearer ${planes.s.operatorKey}` },
      payload: { name: id, quotas: { ...UNLIMITED.quotas, ...quotas }, monthly_caps: caps },
    });
    expect(res.statusCode, res.body).toBe(201);
  }

  /** A tenant on `plan` with a client_credentials client, served by both nodes. */
  async function tenantOn(plan: string) {
    const tid = uniqueTid('quota');
    await planes.createTenant({
      tid,
      name: tid,
      issuer: `${planes.dataPlaneUrl}/${tid}`,
      plan,
      config: { grants: { grantTypes: ['client_credentials'], responseTypes: [] } },
    });
    const { clientId, secret } = await addClient(planes.s, tid, {
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    const basic = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
    const token = (url: string) =>
      fetch(`${url}/token`, {
        method: 'POST',
        headers: { 'tenant-id': tid, authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
    for (const node of nodes)
      await eventually(
        () => fetch(`${node.url}/.well-known/openid-configuration`, { headers: { 'tenant-id': tid } }),
        (r) => r.status === 200,
      );
    return { tid, token };
  }

  it('cuts a burst split across two nodes at the plan limit, the rest 429 with Retry-After', async () => {
    // 10 per second sustained, 50 at once: a window of 5 s holding 50 (limits/token-rate-window.ts).
    await putPlan(`rate-${run}`, { token_requests_per_second: 10, token_requests_burst: 50 });
    const { token } = await tenantOn(`rate-${run}`);
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => token(nodes[i % 2]!.url)));
    const seconds = (performance.now() - started) / 1000;
    const accepted = answers.filter((r) => r.status === 200);
    const refused = answers.filter((r) => r.status === 429);
    console.log(
      `burst of 200 over two nodes in ${seconds.toFixed(2)} s: ${accepted.length} accepted, ${refused.length} refused`,
    );
    expect(accepted.length + refused.length).toBe(200);
    expect(Math.abs(accepted.length - 50)).toBeLessThanOrEqual(2.5); // within 5 % of the burst
    // Both nodes served part of it: the limit is one, not one per node.
    expect(answers.filter((r, i) => r.status === 200 && i % 2 === 0).length).toBeGreaterThan(0);
    expect(answers.filter((r, i) => r.status === 200 && i % 2 === 1).length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.headers.get('retry-after')).toMatch(/^[1-5]$/);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(r.headers.get('cache-control')).toBe('no-store');
    }
    const body = (await refused[0]!.json()) as { error: string; error_description: string };
    expect(body.error).toBe('rate_limited');
    expect(body.error_description).toMatch(/^Too many token requests/);
  });

  it('refuses tokens with 403 quota_exceeded once a hard monthly cap is reached, counting what it serves', async () => {
    await putPlan(`hard-${run}`, {}, { tokens: { limit: 3, kind: 'hard' } });
    const { token } = await tenantOn(`hard-${run}`);
    const node = nodes[0]!.url;
    for (let i = 0; i < 3; i++) expect((await token(node)).status).toBe(200);
    const refused = await token(node);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: 'quota_exceeded',
      error_description: expect.stringMatching(
        /^The plan's monthly cap of 3 tokens is reached; it resets on \d{4}-\d{2}-01 \(UTC\)$/,
      ),
    });
  });

  it("refuses on a node that served nothing of the tenant: the fleet's month count comes from Redis", async () => {
    await putPlan(`fleet-${run}`, {}, { tokens: { limit: 1000, kind: 'hard' } });
    const { tid, token } = await tenantOn(`fleet-${run}`);
    // What the other nodes' metering would have flushed (shared/src/billing/usage-keys.ts).
    await planes.s.redis.hset(usageMonthKey(tid, utcMonth(Date.now())), 'tokens', 1000);
    const refused = await token(nodes[1]!.url);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error_description: string }).error_description).toMatch(/cap of 1000 tokens/);
  });

  it('serves past a soft cap', async () => {
    await putPlan(`soft-${run}`, {}, { tokens: { limit: 1, kind: 'soft' } });
    const { tid, token } = await tenantOn(`soft-${run}`);
    await planes.s.redis.hset(usageMonthKey(tid, utcMonth(Date.now())), 'tokens', 500);
    for (const node of nodes) expect((await token(node.url)).status).toBe(200);
  });
});
