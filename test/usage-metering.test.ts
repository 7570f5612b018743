import { randomBytes } from 'node:crypto';
import { createStripe } from '@tessera/control-plane/billing/stripe-client';
import { aggregateUsage, MAS_DIMENSION } from '@tessera/control-plane/billing/usage-aggregation';
import { startUsageJob } from '@tessera/control-plane/billing/usage-job';
import { type MeterEvents, reportUsage } from '@tessera/control-plane/billing/usage-reporting';
import { UsageCounts } from '@tessera/data-plane/metering/usage-counts';
import { utcDay } from '@tessera/shared/billing/metrics';
import { activeSubjectsKey, usageDayKey, usageDaysKey } from '@tessera/shared/billing/usage-keys';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { type StripeRecorder, startStripeRecorder } from './support/stripe-recorder.ts';
import { insertTenantRow } from './support/tenant-rows.ts';

const DAY_MS = 86_400_000;

/**
 * Metering end to end (docs/billing.md): what a real data plane counts
 * reaches Redis (flushed every second), the aggregation writes it into
 * `usage`, the usage API answers it, monthly active subjects come from the
 * real HyperLogLog, and reports to Stripe (stripe-mock behind the recording
 * proxy) equal the aggregated counters, once however often the job runs.
 */
describe('usage metering, aggregation, the usage API and metered usage to Stripe', () => {
  let planes: InProcessPlanes;
  let recorder: StripeRecorder;
  const operator = () => ({ authorization: `Bearer ${planes.s.operatorKey}` });
  const meterEventsOf = (customer: string) =>
    recorder.requests.filter(
      (r) => r.path === '/v1/billing/meter_events' && r.form.get('payload[stripe_customer_id]') === customer,
    );
  const usageRows = async (tid: string) =>
    Object.fromEntries(
      (
        await planes.s.db
          .selectFrom('usage')
          .select(['day', 'dimension', 'value'])
          .where('tid', '=', tid)
          .orderBy('day')
          .orderBy('dimension')
          .execute()
      ).map((r) => [`${r.day} ${r.dimension}`, Number(r.value)]),
    );
  const stripe = () =>
    createStripe({ ...planes.s.settings, stripe: { ...planes.s.settings.stripe, apiBase: recorder.url } });

  /** A tenant row on a plan of its own whose Stripe section names meters, with a Stripe customer. */
  async function meteredTenant(base: string) {
    const tid = uniqueTid(base);
    const plan = `metered-${randomBytes(3).toString('hex')}`;
    const customer = `cus_${randomBytes(6).toString('hex')}`;
    const meters = {
      tokens: { event_name: 'tessera_tokens' },
      sign_ins: { event_name: 'tessera_sign_ins' },
      monthly_active_subjects: { event_name: 'tessera_mas' },
    };
    await sql`insert into plans (id, name, quotas, monthly_caps, stripe)
      select ${plan}, ${plan}, quotas, monthly_caps, ${JSON.stringify({ meters })}::jsonb from plans where id = 'developer'`.execute(
      planes.s.db,
    );
    await insertTenantRow(planes.s.db, tid);
    await planes.s.db.updateTable('tenants').set({ plan }).where('tid', '=', tid).execute();
    await planes.s.db
      .insertInto('billing_accounts')
      .values({ tid, stripe_customer_id: customer, created_at: sql`now()`, updated_at: sql`now()` })
      .execute();
    return { tid, customer };
  }

  beforeAll(async () => {
    recorder = await startStripeRecorder();
    planes = await startInProcessPlanes({
      passwordAuthenticator: {
        authenticate: async (_tid, username, password) =>
          username === 'bob' && password === 'right' ? { sub: 'sub-bob' } : null,
      },
    });
  }, 60_000);
  afterAll(async () => {
    await planes?.close();
    await recorder?.close();
  });

  it('counts tokens by grant type, sign-ins and introspections of a real data plane into Redis, then `usage` and the API', async () => {
    const tid = uniqueTid('usage');
    const issuer = `${planes.dataPlaneUrl}/${tid}`;
    const { s } = planes;
    await planes.createTenant({
      tid,
      name: tid,
      issuer,
      config: {
        keys: { accessTokenSigningAlgorithm: 'EdDSA' },
        grants: { grantTypes: ['authorization_code', 'client_credentials', 'password', 'refresh_token'] },
      },
    });
    const { clientId, secret } = await addClient(s, tid, {
      grant_types: ['client_credentials', 'password'],
      scope: 'read',
    });
    const basic = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
    const post = (path: string, form: Record<string, string>) =>
      fetch(`${issuer}${path}`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
      });
    const statuses: number[] = [];
    let token = '';
    for (let i = 0; i < 3; i++) {
      const res = await post('/token', { grant_type: 'client_credentials' });
      statuses.push(res.status);
      token = ((await res.json()) as { access_token: string }).access_token;
    }
    for (let i = 0; i < 2; i++)
      statuses.push((await post('/token', { grant_type: 'password', username: 'bob', password: 'right' })).status);
    statuses.push((await post('/token', { grant_type: 'password', username: 'bob', password: 'wrong' })).status);
    statuses.push((await post('/token/introspect', { token })).status);
    statuses.push((await post('/token/introspect', { token: 'not-a-token' })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 400, 200, 200]);

    const today = utcDay(Date.now());
    const expected = {
      'tokens:client_credentials': '3',
      'tokens:password': '2',
      sign_ins: '2',
      introspections: '2',
    };
    // Flushed within about a second; the refused password grant counted nothing.
    await expect.poll(() => s.redis.hgetall(usageDayKey(tid, today)), { timeout: 5000 }).toEqual(expected);
    expect(await s.redis.sismember(usageDaysKey(), `${tid}|${today}`)).toBe(1);
    expect(await s.redis.pfcount(activeSubjectsKey(tid, today.slice(0, 7)))).toBe(1); // bob: a client_credentials client is not an active subject

    await aggregateUsage(s.db, s.redis);
    expect(await usageRows(tid)).toEqual({
      [`${today} introspections`]: 2,
      [`${today} ${MAS_DIMENSION}`]: 1,
      [`${today} sign_ins`]: 2,
      [`${today} tokens:client_credentials`]: 3,
      [`${today} tokens:password`]: 2,
    });
    // Today is not over: it stays to be aggregated again.
    expect(await s.redis.sismember(usageDaysKey(), `${tid}|${today}`)).toBe(1);

    const res = await planes.cp.inject({
      method: 'GET',
      url: `/tenants/rest/v1/${tid}/usage?from=${today}&to=${today}`,
      headers: operator(),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.days).toEqual([
      {
        day: today,
        dimensions: {
          ...Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, Number(v)])),
          [MAS_DIMENSION]: 1,
        },
      },
    ]);
    expect(body.totals).toEqual({
      tokens: 5,
      authorizations: 0,
      sign_ins: 2,
      introspections: 2,
      monthly_active_subjects: 1,
    });
    expect(body.months).toEqual([{ month: today.slice(0, 7), usage: body.totals, overage: {} }]);
  });

  it('answers only a tenant-scoped token of its own tenant, and refuses bad ranges with 400', async () => {
    const tid = uniqueTid('usage-api');
    await insertTenantRow(planes.s.db, tid);
    const mint = async (scope: string) => {
      const res = await planes.cp.inject({
        method: 'POST',
        url: '/admin-tokens/rest/v1',
        headers: operator(),
        payload: { tid: scope },
      });
      expect(res.statusCode).toBe(201);
      return { authorization: `Bearer ${res.json().access_token as string}` };
    };
    const get = (query: string, headers = operator(), of = tid) =>
      planes.cp.inject({ method: 'GET', url: `/tenants/rest/v1/${of}/usage?${query}`, headers });
    const own = await get('from=2030-01-01&to=2030-01-31', await mint(tid));
    expect(own.statusCode).toBe(200);
    expect(own.json().totals.tokens).toBe(0);
    const other = await insertTenantRow(planes.s.db, `${tid}-x`).then(() => mint(`${tid}-x`));
    const refused = await get('from=2030-01-01&to=2030-01-31', other);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toBe('forbidden');
    for (const query of [
      'from=2030-02-30&to=2030-03-01',
      'from=2030-1-1&to=2030-01-02',
      'from=2030-03-02&to=2030-03-01',
      'from=2030-01-01&to=2031-01-02',
      'from=2030-01-01',
    ]) {
      const res = await get(query);
      expect([query, res.statusCode, res.json().error]).toEqual([query, 400, expect.any(String)]);
    }
    expect((await get('from=2030-01-01&to=2030-12-31')).statusCode).toBe(200); // 365 days
    expect((await get('from=2030-01-01&to=2030-01-02', operator(), 'no-such-tenant')).statusCode).toBe(404);
  });

  it('counts 10,000 distinct subjects of a month within 2 % through the real HyperLogLog', async () => {
    const tid = uniqueTid('mas');
    await insertTenantRow(planes.s.db, tid);
    const day = utcDay(Date.now() - 3 * DAY_MS);
    const counts = new UsageCounts(() => Date.parse(`${day}T12:00:00Z`));
    // Ten flushes of 2,000 subjects each, every subject seen twice: 10,000 distinct.
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 2000; i++) {
        const sub = `user-${(round * 1000 + i) % 10_000}`;
        counts.record(tid, ['authorizations', sub]);
      }
      await counts.flush(planes.s.redis);
    }
    const estimate = await planes.s.redis.pfcount(activeSubjectsKey(tid, day.slice(0, 7)));
    expect(Math.abs(estimate - 10_000) / 10_000).toBeLessThan(0.02);
    const result = await aggregateUsage(planes.s.db, planes.s.redis);
    expect(await usageRows(tid)).toEqual({
      [`${day} authorizations`]: 20_000,
      [`${day} ${MAS_DIMENSION}`]: estimate,
    });
    // The day is over and aggregated: it leaves the set.
    expect(result.closed).toBeGreaterThanOrEqual(1);
    expect(await planes.s.redis.sismember(usageDaysKey(), `${tid}|${day}`)).toBe(0);
  });

  it('reports to Stripe what was aggregated, once however often aggregation and reporting run', async () => {
    const { tid, customer } = await meteredTenant('report');
    const yesterday = utcDay(Date.now() - DAY_MS);
    const today = utcDay(Date.now());
    let now = Date.parse(`${yesterday}T10:00:00Z`);
    const counts = new UsageCounts(() => now);
    counts.record(tid, ['tokens:client_credentials', 'svc', 'tokens:client_credentials', 'svc']);
    counts.record(tid, ['sign_ins', 'alice', 'tokens:password', 'alice', 'introspections', undefined]);
    await counts.flush(planes.s.redis);
    // The job ran yesterday too: yesterday's subjects figure is the month's as it was then.
    await aggregateUsage(planes.s.db, planes.s.redis, now);
    now = Date.parse(`${today}T00:00:01Z`);
    counts.record(tid, ['tokens:client_credentials', 'svc', 'sign_ins', 'bob']);
    await counts.flush(planes.s.redis);
    const meterEvents = stripe().billing.meterEvents;
    for (let run = 0; run < 2; run++) {
      await aggregateUsage(planes.s.db, planes.s.redis);
      await reportUsage(planes.s.db, meterEvents);
    }
    const sent = () =>
      meterEventsOf(customer)
        .map((r) => ({
          event: r.form.get('event_name'),
          day: new Date(Number(r.form.get('timestamp')) * 1000).toISOString().slice(0, 10),
          value: Number(r.form.get('payload[value]')),
          key: r.idempotencyKey,
          identifier: r.form.get('identifier'),
        }))
        .sort((a, b) => `${a.day}${a.event}`.localeCompare(`${b.day}${b.event}`));
    // Yesterday: 3 tokens, 1 sign-in, 2 subjects (svc, alice); today: 1 token, 1 sign-in, 1 new subject (bob).
    // Introspections have no meter on this plan: not sent.
    expect(sent().map(({ event, day, value }) => ({ event, day, value }))).toEqual(
      [
        { event: 'tessera_mas', day: yesterday, value: 2 },
        { event: 'tessera_sign_ins', day: yesterday, value: 1 },
        { event: 'tessera_tokens', day: yesterday, value: 3 },
        { event: 'tessera_mas', day: today, value: 1 },
        { event: 'tessera_sign_ins', day: today, value: 1 },
        { event: 'tessera_tokens', day: today, value: 1 },
      ].sort((a, b) => `${a.day}${a.event}`.localeCompare(`${b.day}${b.event}`)),
    );
    for (const e of sent()) expect(e.identifier).toBe(e.key);
    // Aggregated after yesterday was over, its subjects figure stayed: the month's HyperLogLog now counts bob too.
    const month = activeSubjectsKey(tid, yesterday.slice(0, 7));
    if (yesterday.slice(0, 7) === today.slice(0, 7)) expect(await planes.s.redis.pfcount(month)).toBe(3);
    expect((await usageRows(tid))[`${yesterday} ${MAS_DIMENSION}`]).toBe(2);
    const reports = async () =>
      Object.fromEntries(
        (
          await planes.s.db
            .selectFrom('usage_reports')
            .select(['metric', 'day', 'quantity'])
            .where('tid', '=', tid)
            .execute()
        ).map((r) => [`${r.day} ${r.metric}`, Number(r.quantity)]),
      );
    expect(await reports()).toEqual({
      [`${yesterday} tokens`]: 3,
      [`${yesterday} sign_ins`]: 1,
      [`${yesterday} monthly_active_subjects`]: 2,
      [`${today} tokens`]: 1,
      [`${today} sign_ins`]: 1,
      [`${today} monthly_active_subjects`]: 1,
    });

    // More today: only the difference goes, under a new key; a refused report is sent again with the same key.
    counts.record(tid, ['tokens:client_credentials', 'svc', 'tokens:client_credentials', 'svc']);
    await counts.flush(planes.s.redis);
    await aggregateUsage(planes.s.db, planes.s.redis);
    recorder.refuse('POST', '/v1/billing/meter_events');
    await expect(reportUsage(planes.s.db, meterEvents)).rejects.toThrow();
    expect((await reports())[`${today} tokens`]).toBe(1);
    await reportUsage(planes.s.db, meterEvents);
    await reportUsage(planes.s.db, meterEvents);
    const tokensToday = sent().filter((e) => e.event === 'tessera_tokens' && e.day === today);
    expect(tokensToday.map((e) => e.value)).toEqual([1, 2, 2]);
    expect(tokensToday[1]!.key).toBe(tokensToday[2]!.key);
    expect(tokensToday[0]!.key).not.toBe(tokensToday[1]!.key);
    expect((await reports())[`${today} tokens`]).toBe(3);
    // What was reported adds up to the aggregated counters.
    const rows = await usageRows(tid);
    expect((await reports())[`${today} tokens`]).toBe(rows[`${today} tokens:client_credentials`]);

    // Stripe takes a report but the run dies before recording it, and usage grows meanwhile: the lost report is
    // sent again as it was (same key, same value), then only the growth under a new key; nothing is billed twice.
    counts.record(tid, ['tokens:client_credentials', 'svc', 'tokens:client_credentials', 'svc']);
    await counts.flush(planes.s.redis);
    await aggregateUsage(planes.s.db, planes.s.redis);
    const dying: MeterEvents = {
      create: async (...args: Parameters<typeof meterEvents.create>) => {
        await meterEvents.create(...args);
        throw new Error('the process died after Stripe answered');
      },
    };
    await expect(reportUsage(planes.s.db, dying)).rejects.toThrow(/died/);
    counts.record(tid, ['tokens:client_credentials', 'svc']);
    await counts.flush(planes.s.redis);
    await aggregateUsage(planes.s.db, planes.s.redis);
    await reportUsage(planes.s.db, meterEvents);
    const later = sent()
      .filter((e) => e.event === 'tessera_tokens' && e.day === today)
      .slice(3);
    expect(later.map((e) => e.value)).toEqual([2, 2, 1]);
    expect(later[1]!.key).toBe(later[0]!.key);
    expect(later[2]!.key).not.toBe(later[0]!.key);
    // Counting each key once, as Stripe does, what was billed equals the aggregated counters.
    const billed = new Map(
      sent()
        .filter((e) => e.event === 'tessera_tokens' && e.day === today)
        .map((e) => [e.key, e.value]),
    );
    const total = [...billed.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe((await usageRows(tid))[`${today} tokens:client_credentials`]);
    expect((await reports())[`${today} tokens`]).toBe(total);
  });

  it('runs aggregation and reporting as a BullMQ repeatable job in the worker, and stops cleanly', async () => {
    const { tid, customer } = await meteredTenant('job');
    const counts = new UsageCounts();
    counts.record(tid, ['tokens:authorization_code', 'carol', 'tokens:authorization_code', 'carol']);
    await counts.flush(planes.s.redis);
    const { s } = planes;
    let runs = 0;
    const job = await startUsageJob({
      db: s.db,
      redis: s.redis,
      redisUrl: s.settings.redisUrl,
      redisPrefix: s.settings.redisPrefix,
      meterEvents: stripe().billing.meterEvents,
      everyMs: 300,
      log: (line) => {
        if (line.usageJob === 'completed') runs++;
      },
    });
    try {
      await expect
        .poll(
          async () => meterEventsOf(customer).map((r) => [r.form.get('event_name'), r.form.get('payload[value]')]),
          {
            timeout: 10_000,
          },
        )
        .toEqual(expect.arrayContaining([['tessera_tokens', '2']]));
      expect((await usageRows(tid))[`${utcDay(Date.now())} tokens:authorization_code`]).toBe(2);
      const seen = runs;
      await expect.poll(() => runs, { timeout: 10_000 }).toBeGreaterThanOrEqual(seen + 2);
    } finally {
      await job.close();
    }
    // Runs after the first found nothing new: one event for the tokens, one for the subject.
    expect(
      meterEventsOf(customer)
        .map((r) => r.form.get('event_name'))
        .sort(),
    ).toEqual(['tessera_mas', 'tessera_tokens']);
  });
});
