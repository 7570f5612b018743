import { randomBytes } from 'node:crypto';
import { billingAccountActivities } from '@tessera/control-plane/activities/billing-account';
import type { ActivityDeps } from '@tessera/control-plane/activities/deps';
import type { BillingAccountPort } from '@tessera/control-plane/billing/billing-account-port';
import { stripeBillingAccounts } from '@tessera/control-plane/billing/stripe-billing-accounts';
import { createStripe } from '@tessera/control-plane/billing/stripe-client';
import { buildControlPlane } from '@tessera/control-plane/server';
import { UNLIMITED } from '@tessera/shared/billing/plan';
import type { Settings } from '@tessera/shared/settings';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { type StripeRecorder, startStripeRecorder } from './support/stripe-recorder.ts';
import { insertTenantRow } from './support/tenant-rows.ts';

/** The grace period of this file: short enough to wait for, long enough to see the tenant still served first. */
const GRACE_SECONDS = 2;

describe('Stripe: customers, subscriptions, plan changes, cancellation and webhooks (stripe-mock through a recording proxy)', () => {
  let planes: InProcessPlanes;
  let recorder: StripeRecorder;
  let settings: Settings;
  const suffix = randomBytes(3).toString('hex');
  const planA = { id: `bill-a-${suffix}`, price: `price_a_${suffix}`, metered: `price_tokens_${suffix}` };
  const planB = { id: `bill-b-${suffix}`, price: `price_b_${suffix}` };
  const secret = process.env.STRIPE_WEBHOOK_SECRET!;
  const admin = () => ({ authorization: `Bearer ${planes.s.operatorKey}` });

  const account = (tid: string) =>
    planes.s.db.selectFrom('billing_accounts').selectAll().where('tid', '=', tid).executeTakeFirst();
  const tenantRow = (tid: string) =>
    planes.s.db.selectFrom('tenants').select(['status', 'plan']).where('tid', '=', tid).executeTakeFirstOrThrow();
  const served = async (tid: string) => {
    const res = await planes.dp.app.inject({
      method: 'GET',
      url: `/${tid}/jwks.json`,
      headers: { host: 'localhost:8080' },
    });
    return { status: res.statusCode, error: res.statusCode === 200 ? undefined : (res.json().error as string) };
  };
  const create = async (tid: string, plan: string) =>
    planes.createTenant({ tid, name: `Billing ${tid}`, issuer: `http://localhost:8080/${tid}`, plan });

  /** Post an event to the webhook, signed as Stripe would sign it (with `signWith`, default the endpoint's secret). */
  let events = 0;
  const postEvent = async (
    type: string,
    object: Record<string, unknown>,
    options: { id?: string; signWith?: string | null } = {},
  ) => {
    const payload = JSON.stringify({
      id: options.id ?? `evt_test_${suffix}_${++events}`,
      object: 'event',
      type,
      created: Math.floor(Date.now() / 1000),
      data: { object },
    });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.signWith !== null)
      headers['stripe-signature'] = Stripe.webhooks.generateTestHeaderString({
        payload,
        secret: options.signWith ?? secret,
      });
    return planes.cp.inject({ method: 'POST', url: '/billing/stripe/webhook', headers, payload });
  };

  beforeAll(async () => {
    recorder = await startStripeRecorder();
    planes = await startInProcessPlanes({
      settings: {
        stripe: {
          enabled: true,
          secretKey: process.env.STRIPE_SECRET_KEY!,
          apiBase: recorder.url,
          webhookSecret: secret,
        },
        billingGraceDays: GRACE_SECONDS / 86_400,
      },
    });
    settings = { ...planes.s.settings, stripe: { ...planes.s.settings.stripe, apiBase: recorder.url } };
    const plans = [
      {
        id: planA.id,
        stripe: {
          price_id: planA.price,
          meters: { tokens: { event_name: 'tessera_tokens', price_id: planA.metered } },
        },
      },
      { id: planB.id, stripe: { price_id: planB.price } },
    ];
    for (const plan of plans)
      await planes.s.db
        .insertInto('plans')
        .values({
          id: plan.id,
          name: plan.id,
          quotas: JSON.stringify(UNLIMITED.quotas),
          monthly_caps: '{}',
          stripe: JSON.stringify(plan.stripe),
        } as never)
        .execute();
  });
  afterAll(async () => {
    await planes?.close();
    await recorder?.close();
  });

  it("provisioning creates the customer (metadata.tid) and the subscription to the plan's prices, each with an idempotency key from the tenant and step", async () => {
    const tid = uniqueTid('bill');
    await create(tid, planA.id);
    const sent = recorder.forTenant(tid).filter((r) => r.method === 'POST');
    expect(sent.map((r) => [r.path, r.idempotencyKey])).toEqual([
      ['/v1/customers', `tessera:${tid}:provision:customer`],
      ['/v1/subscriptions', `tessera:${tid}:provision:subscription`],
    ]);
    expect(sent[0]!.form.get('metadata[tid]')).toBe(tid);
    const subscription = sent[1]!.form;
    expect(subscription.get('metadata[tid]')).toBe(tid);
    expect([subscription.get('items[0][price]'), subscription.get('items[1][price]')]).toEqual([
      planA.price,
      planA.metered,
    ]);
    const row = await account(tid);
    expect(row?.stripe_customer_id).toMatch(/^cus_/);
    expect(subscription.get('customer')).toBe(row?.stripe_customer_id);
    expect(row?.stripe_subscription_id).toMatch(/^sub_/);
  });

  it('a plan without prices (free) gets a customer and no subscription', async () => {
    const tid = uniqueTid('bill-free');
    await create(tid, 'free');
    expect(recorder.forTenant(tid).map((r) => r.path)).toEqual(['/v1/customers']);
    const row = await account(tid);
    expect(row?.stripe_customer_id).toMatch(/^cus_/);
    expect(row?.stripe_subscription_id).toBeNull();
  });

  it('a retried billing step (Stripe answered, the attempt died before recording) asks again with the same keys; a finished one asks nothing', async () => {
    const tid = uniqueTid('bill-retry');
    await insertTenantRow(planes.s.db, tid);
    await planes.s.db.updateTable('tenants').set({ plan: planA.id }).where('tid', '=', tid).execute();
    const real = stripeBillingAccounts(createStripe(settings));
    // Each Stripe write succeeds, then the attempt dies once before the id is recorded (a worker killed at that moment).
    const died = new Set<string>();
    const dying = (name: string) => () => {
      if (died.has(name)) return;
      died.add(name);
      throw new Error(`attempt died after ${name}`);
    };
    const afterCustomer = dying('customer');
    const afterSubscription = dying('subscription');
    const flaky: BillingAccountPort = {
      ...real,
      ensureCustomer: async (i) => {
        const answer = await real.ensureCustomer(i);
        afterCustomer();
        return answer;
      },
      ensureSubscription: async (i) => {
        const answer = await real.ensureSubscription(i);
        afterSubscription();
        return answer;
      },
    };
    const { createBillingAccount } = billingAccountActivities({ db: planes.s.db, billing: flaky } as ActivityDeps);
    const attempt = () => createBillingAccount({ tid, plan: planA.id });
    await expect(attempt()).rejects.toThrow('attempt died after customer');
    await expect(attempt()).rejects.toThrow('attempt died after subscription');
    await attempt();
    const keys = recorder.forTenant(tid).map((r) => `${r.method} ${r.path} ${r.idempotencyKey}`);
    expect(keys).toEqual([
      `POST /v1/customers tessera:${tid}:provision:customer`,
      `POST /v1/customers tessera:${tid}:provision:customer`,
      `POST /v1/subscriptions tessera:${tid}:provision:subscription`,
      `POST /v1/subscriptions tessera:${tid}:provision:subscription`,
    ]);
    expect((await account(tid))?.stripe_subscription_id).toMatch(/^sub_/);
    // Once recorded, a repeat (Temporal running the activity again) sends nothing.
    await attempt();
    expect(recorder.forTenant(tid)).toHaveLength(4);
  });

  it("a plan change moves the subscription's item to the new price with proration; a refused change is a 502 that changes nothing; a move to a plan without prices cancels", async () => {
    const tid = uniqueTid('bill-plan');
    await create(tid, planA.id);
    const { stripe_subscription_id: sub } = (await account(tid))!;
    const patch = (plan: string) =>
      planes.cp.inject({ method: 'PATCH', url: `/tenants/rest/v1/${tid}`, headers: admin(), payload: { plan } });

    const before = recorder.requests.length;
    const moved = await patch(planB.id);
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().plan).toBe(planB.id);
    const update = recorder.requests
      .slice(before)
      .find((r) => r.method === 'POST' && r.path === `/v1/subscriptions/${sub}`);
    expect(update?.form.get('proration_behavior')).toBe('create_prorations');
    expect(update?.form.get('items[0][price]')).toBe(planB.price);
    expect(update?.form.get('items[0][id]')).toMatch(/^si_/);
    expect(update?.idempotencyKey).toMatch(new RegExp(`^tessera:${tid}:plan:${planB.id}:\\d+$`));

    recorder.refuse('POST', `/v1/subscriptions/${sub}`);
    const refused = await patch(planA.id);
    expect(refused.statusCode).toBe(502);
    expect(refused.json().error).toBe('billing_failed');
    expect((await tenantRow(tid)).plan).toBe(planB.id);

    const cancelFrom = recorder.requests.length;
    expect((await patch('free')).statusCode).toBe(200);
    expect(recorder.requests.slice(cancelFrom).map((r) => `${r.method} ${r.path}`)).toContain(
      `DELETE /v1/subscriptions/${sub}`,
    );
    expect((await account(tid))?.stripe_subscription_id).toBeNull();
  });

  it('deprovisioning cancels the subscription', async () => {
    const tid = uniqueTid('bill-del');
    await create(tid, planA.id);
    const { stripe_subscription_id: sub } = (await account(tid))!;
    const res = await planes.cp.inject({
      method: 'DELETE',
      url: `/tenants/rest/v1/${tid}?wait=true`,
      headers: admin(),
    });
    expect(res.statusCode).toBe(204);
    const cancel = recorder.forTenant(tid).find((r) => r.method === 'DELETE');
    expect(cancel?.path).toBe(`/v1/subscriptions/${sub}`);
    expect(cancel?.idempotencyKey).toBe(`tessera:${tid}:cancel:${sub}`);
  });

  describe('webhooks', () => {
    let tid: string;
    let customer: string;
    let subscription: string;
    const invoice = () => ({ object: 'invoice', id: `in_${suffix}`, customer, metadata: {} });

    beforeAll(async () => {
      tid = uniqueTid('bill-hook');
      await create(tid, planA.id);
      const row = (await account(tid))!;
      customer = row.stripe_customer_id!;
      subscription = row.stripe_subscription_id!;
      // stripe-mock gives every customer the same id: this tenant's events name it by metadata.tid.
    });

    it('refuses an event with a bad or missing signature (400 invalid_signature) and changes nothing', async () => {
      const id = `evt_forged_${suffix}`;
      const object = { ...invoice(), parent: { subscription_details: { metadata: { tid } } } };
      for (const signWith of [`whsec_${randomBytes(16).toString('hex')}`, null]) {
        const res = await postEvent('invoice.payment_failed', object, { id, signWith });
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({ error: 'invalid_signature', error_description: expect.any(String) });
      }
      expect((await account(tid))?.payment_failed_at).toBeNull();
      expect(await planes.s.db.selectFrom('stripe_events').select('id').where('id', '=', id).execute()).toEqual([]);
    });

    it('answers 503 with a clear error when no webhook secret is configured', async () => {
      const cp = await buildControlPlane({
        db: planes.s.db,
        redis: planes.s.redis,
        settings: { ...settings, stripe: { ...settings.stripe, webhookSecret: undefined } },
        keyStores: planes.s.keyStores,
        masterKey: planes.s.masterKey,
        temporal: planes.temporal,
        temporalSettings: planes.temporalSettings,
      });
      try {
        const res = await cp.inject({
          method: 'POST',
          url: '/billing/stripe/webhook',
          headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
          payload: '{}',
        });
        expect(res.statusCode).toBe(503);
        expect(res.json().error_description).toContain('STRIPE_WEBHOOK_SECRET');
      } finally {
        await cp.close();
      }
    });

    it('stores each event id once: a replayed event is a 200 no-op', async () => {
      const id = `evt_replay_${suffix}`;
      const object = {
        object: 'subscription',
        id: subscription,
        customer,
        status: 'past_due',
        metadata: { tid },
        items: { data: [] },
      };
      const first = await postEvent('customer.subscription.updated', object, { id });
      expect(first.json()).toEqual({ received: true, duplicate: false });
      expect((await account(tid))?.subscription_status).toBe('past_due');
      await planes.s.db
        .updateTable('billing_accounts')
        .set({ subscription_status: 'active' })
        .where('tid', '=', tid)
        .execute();
      const replay = await postEvent('customer.subscription.updated', object, { id });
      expect(replay.statusCode).toBe(200);
      expect(replay.json()).toEqual({ received: true, duplicate: true });
      expect((await account(tid))?.subscription_status).toBe('active');
    });

    it('answers 200 to an event type it does not handle, and ignores it', async () => {
      const res = await postEvent('charge.refunded', { object: 'charge', id: 'ch_1', customer, metadata: { tid } });
      expect(res.json()).toEqual({ received: true, duplicate: false });
      expect((await tenantRow(tid)).status).toBe('active');
    });

    it('customer.subscription.updated brings the tenant onto the plan whose price the subscription now carries', async () => {
      const object = {
        object: 'subscription',
        id: subscription,
        customer,
        status: 'active',
        metadata: { tid },
        items: { data: [{ id: 'si_1', price: { id: planB.price } }] },
      };
      expect((await postEvent('customer.subscription.updated', object)).statusCode).toBe(200);
      expect((await tenantRow(tid)).plan).toBe(planB.id);
    });

    it('invoice.payment_failed suspends the tenant once the grace period is over (its data plane answers tenant_suspended); invoice.paid resumes it', async () => {
      const failed = { ...invoice(), parent: { subscription_details: { metadata: { tid } } } };
      expect((await postEvent('invoice.payment_failed', failed)).statusCode).toBe(200);
      const during = await account(tid);
      expect(during?.payment_failed_at).not.toBeNull();
      expect(new Date(during!.grace_until!).getTime() - new Date(during!.payment_failed_at!).getTime()).toBe(
        GRACE_SECONDS * 1000,
      );
      // Within the grace period the tenant is served.
      expect((await tenantRow(tid)).status).toBe('active');
      await expect
        .poll(() => served(tid), { timeout: 15_000, interval: 100 })
        .toEqual({ status: 403, error: 'tenant_suspended' });
      expect(await tenantRow(tid)).toMatchObject({ status: 'suspended' });
      expect((await account(tid))?.suspended_by_billing).toBe(true);

      expect((await postEvent('invoice.paid', failed)).statusCode).toBe(200);
      await expect.poll(() => served(tid), { timeout: 10_000 }).toEqual({ status: 200, error: undefined });
      const after = await account(tid);
      expect([after?.payment_failed_at, after?.grace_until, after?.suspended_by_billing]).toEqual([null, null, false]);
      // Both changes are in the audit log, by the platform (written in their own transactions).
      const audit = await planes.s.db
        .selectFrom('audit_log')
        .select(['actor', 'action', 'details'])
        .where('tid', '=', tid)
        .where('action', 'in', ['tenant.suspended', 'tenant.resumed'])
        .orderBy('id')
        .execute();
      expect(audit).toEqual([
        {
          actor: 'system',
          action: 'tenant.suspended',
          details: { by: 'billing', reason: 'an invoice is unpaid and its grace period is over' },
        },
        { actor: 'system', action: 'tenant.resumed', details: { by: 'billing' } },
      ]);
    });

    it('customer.subscription.deleted suspends at once; invoice.paid does not lift a suspension the operator made', async () => {
      const other = uniqueTid('bill-gone');
      await create(other, planA.id);
      const row = (await account(other))!;
      const deleted = {
        object: 'subscription',
        id: row.stripe_subscription_id,
        customer: row.stripe_customer_id,
        status: 'canceled',
        metadata: { tid: other },
        items: { data: [] },
      };
      expect((await postEvent('customer.subscription.deleted', deleted)).statusCode).toBe(200);
      await expect.poll(() => served(other), { timeout: 10_000 }).toEqual({ status: 403, error: 'tenant_suspended' });
      expect((await account(other))?.stripe_subscription_id).toBeNull();

      // The operator resumes, then suspends for a reason of their own: paying does not undo that.
      const ops = async (action: string) =>
        (await planes.cp.inject({ method: 'POST', url: `/tenants/rest/v1/${other}/${action}`, headers: admin() }))
          .statusCode;
      expect(await ops('resume')).toBe(200);
      expect((await account(other))?.suspended_by_billing).toBe(false);
      expect(await ops('suspend')).toBe(200);
      const paid = {
        object: 'invoice',
        id: 'in_x',
        customer: row.stripe_customer_id,
        metadata: {},
        parent: { subscription_details: { metadata: { tid: other } } },
      };
      expect((await postEvent('invoice.paid', paid)).statusCode).toBe(200);
      expect((await tenantRow(other)).status).toBe('suspended');
    });
  });
});
