import type { Metric } from '@tessera/shared/billing/metrics';
import { type MonthlyCaps, UNLIMITED } from '@tessera/shared/billing/plan';
import { describe, expect, it } from 'vitest';
import { jsonAnswer } from '../../../src/core/core-answer.ts';
import { enforceMonthlyCaps } from '../../../src/core/policies/enforce-monthly-caps.ts';
import { route } from '../../../src/core/route.ts';
import { step } from '../../../src/core/step.ts';
import { type MonthTotals, type MonthTotalsSource, zeroTotals } from '../../../src/limits/month-totals.ts';
import { MonthUsage } from '../../../src/limits/month-usage.ts';
import { ManualClock } from '../../../src/ports/clock.ts';
import type { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import { answerBody, coreRequest, runRoute } from '../support/core-request.ts';

/**
 * Hard and soft monthly caps (core/policies/enforce-monthly-caps.ts) on each
 * node's view of the month (limits/month-usage.ts), with the fleet's month
 * hashes as a map.
 */

/** The fleet's month figures, as the Redis month hashes would give them; counts reads. */
function fleet() {
  const figures = new Map<string, MonthTotals>();
  let reads = 0;
  const source: MonthTotalsSource = {
    async read(_month, tids) {
      reads++;
      return new Map(tids.map((tid) => [tid, { ...(figures.get(tid) ?? zeroTotals()) }]));
    },
  };
  const set = (tid: string, metric: Metric, n: number) =>
    figures.set(tid, { ...(figures.get(tid) ?? zeroTotals()), [metric]: n });
  return { source, set, reads: () => reads };
}

const tenantWith = (caps: MonthlyCaps, tid = 't1') =>
  ({
    tenant: { tid, issuer: `https://as.example/${tid}`, limits: { quotas: UNLIMITED.quotas, monthly_caps: caps } },
  }) as TenantContext;

/** A route that meters what it serves, as the real steps do (Exchange.meter). */
const metered = (name: string, path: string, ...dimensions: string[]) =>
  route({
    name,
    method: 'POST',
    path,
    steps: [
      step('serve', (x) => {
        for (const d of dimensions) x.meter(d, 'alice');
        return jsonAnswer({ ok: true });
      }),
    ],
  });
const tokenRoute = metered('token', '/token', 'tokens:client_credentials');
const passwordRoute = metered('token', '/token', 'sign_ins', 'tokens:password');
const introspectionRoute = metered('introspection', '/token/introspect', 'introspections');
const signInRoute = metered('login.authenticate', '/login/authenticate', 'sign_ins');

function setUpPolicy(f: ReturnType<typeof fleet>) {
  const clock = new ManualClock(Date.UTC(2026, 11, 4, 12));
  return enforceMonthlyCaps(new MonthUsage(f.source, clock), clock);
}

function setUp() {
  const f = fleet();
  const clock = new ManualClock(Date.UTC(2026, 11, 4, 12));
  const usage = new MonthUsage(f.source, clock);
  const policy = enforceMonthlyCaps(usage, clock);
  const serve = async (tenant: TenantContext, r = tokenRoute, body: Record<string, string> = {}) =>
    (await runRoute(r, coreRequest(tenant, { path: r.path, body }), [policy])).answer;
  return { f, clock, usage, policy, serve };
}

describe('monthly caps', () => {
  it('refuses a hard-capped metric once the month reaches the limit, with 403 quota_exceeded naming it', async () => {
    const { f, serve } = setUp();
    f.set('t1', 'tokens', 99);
    const tenant = tenantWith({ tokens: { limit: 100, kind: 'hard' } });
    expect((await serve(tenant)).status).toBe(200); // the 100th
    const refused = await serve(tenant);
    expect(refused.status).toBe(403);
    expect(answerBody(refused)).toEqual({
      error: 'quota_exceeded',
      error_description: "The plan's monthly cap of 100 tokens is reached; it resets on 2027-01-01 (UTC)",
    });
    // Other metrics are not held by the tokens cap.
    expect((await serve(tenant, introspectionRoute)).status).toBe(200);
  });

  it('never refuses on a soft cap', async () => {
    const { f, serve } = setUp();
    f.set('t1', 'tokens', 5000);
    expect((await serve(tenantWith({ tokens: { limit: 100, kind: 'soft' } }))).status).toBe(200);
  });

  it("sees other nodes' usage at the next refresh and counts its own in between", async () => {
    const { f, usage, serve } = setUp();
    const tenant = tenantWith({ introspections: { limit: 10, kind: 'hard' } });
    expect((await serve(tenant, introspectionRoute)).status).toBe(200);
    expect(f.reads()).toBe(1); // the tenant's first request reads its figures; later ones do not
    // Meanwhile the other nodes served 6 and this node's metering flushed its own: the hash says 8 after its second.
    f.set('t1', 'introspections', 8);
    expect((await serve(tenant, introspectionRoute)).status).toBe(200);
    expect(f.reads()).toBe(1);
    expect(await usage.total('t1', 'introspections')).toBe(2); // what it knows: its own two
    await usage.refresh();
    expect(await usage.total('t1', 'introspections')).toBe(8); // its own are in the fleet's figure now
    expect((await serve(tenant, introspectionRoute)).status).toBe(200);
    expect((await serve(tenant, introspectionRoute)).status).toBe(200); // the 10th
    expect(await usage.total('t1', 'introspections')).toBe(10);
    expect((await serve(tenant, introspectionRoute)).status).toBe(403);
  });

  it('counts the password grant as a sign-in: a sign-in cap refuses it, not client_credentials', async () => {
    const { f, serve } = setUp();
    f.set('t1', 'sign_ins', 20);
    const tenant = tenantWith({ sign_ins: { limit: 20, kind: 'hard' } });
    const refused = await serve(tenant, passwordRoute, { grant_type: 'password' });
    expect(refused.status).toBe(403);
    expect(answerBody(refused).error_description).toMatch(/monthly cap of 20 sign-ins/);
    expect((await serve(tenant, signInRoute)).status).toBe(403);
    expect((await serve(tenant, tokenRoute, { grant_type: 'client_credentials' })).status).toBe(200);
  });

  it('over a hard monthly-active-subjects cap, refuses sign-ins and keeps serving tokens', async () => {
    const { f, serve } = setUp();
    f.set('t1', 'monthly_active_subjects', 1000);
    const tenant = tenantWith({ monthly_active_subjects: { limit: 1000, kind: 'hard' } });
    expect(answerBody(await serve(tenant, signInRoute)).error_description).toMatch(/1000 monthly active subjects/);
    expect((await serve(tenant, passwordRoute, { grant_type: 'password' })).status).toBe(403);
    expect((await serve(tenant, tokenRoute, { grant_type: 'refresh_token' })).status).toBe(200);
  });

  it('starts again in a new month', async () => {
    const { f, clock, serve } = setUp();
    f.set('t1', 'tokens', 100);
    const tenant = tenantWith({ tokens: { limit: 100, kind: 'hard' } });
    expect((await serve(tenant)).status).toBe(403);
    clock.advance(30 * 86_400_000);
    f.set('t1', 'tokens', 0); // the new month's hash
    expect((await serve(tenant)).status).toBe(200);
  });

  it("answers a caller the route does not admit with the route's refusal, never with the cap", async () => {
    const { f, serve } = setUp();
    f.set('t1', 'authorizations', 50);
    const tenant = tenantWith({ authorizations: { limit: 50, kind: 'hard' } });
    // As the authz session and direct authorisation APIs do: the API token is checked on the headers first.
    const guarded = route({
      name: 'authz-sessions.start',
      method: 'POST',
      path: '/authz-sessions/rest/v1',
      admission: [
        step('apiToken', (x) => {
          if (x.request.headers.authorization !== 'Bearer right') return jsonAnswer({ error: 'invalid_token' }, 401);
        }),
      ],
      steps: [step('serve', () => jsonAnswer({ ok: true }))],
    });
    const anonymous = await serve(tenant, guarded);
    expect(anonymous.status).toBe(401);
    expect(answerBody(anonymous)).toEqual({ error: 'invalid_token' });
    const admitted = (
      await runRoute(guarded, coreRequest(tenant, { path: guarded.path, headers: { authorization: 'Bearer right' } }), [
        setUpPolicy(f),
      ])
    ).answer;
    expect(admitted.status).toBe(403);
    expect(answerBody(admitted).error).toBe('quota_exceeded');
  });

  it('does no work for a plan without hard caps', () => {
    const { f, policy } = setUp();
    const x = {
      request: coreRequest(tenantWith({ tokens: { limit: 1, kind: 'soft' } }), { path: '/token' }),
      route: tokenRoute,
    } as never;
    expect(policy.admitted!(x)).toBeUndefined();
    expect(f.reads()).toBe(0);
  });
});
