import { type PlanQuotas, UNLIMITED } from '@tessera/shared/billing/plan';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { jsonAnswer } from '../../../src/core/core-answer.ts';
import { limitTokenRate } from '../../../src/core/policies/limit-token-rate.ts';
import { route } from '../../../src/core/route.ts';
import { step } from '../../../src/core/step.ts';
import { LeasedRateLimiter, leaseSize } from '../../../src/limits/leased-limiter.ts';
import { type RateWindow, tokenRateWindow } from '../../../src/limits/token-rate-window.ts';
import { ManualClock } from '../../../src/ports/clock.ts';
import type { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import { answerBody, coreRequest, runRoute } from '../support/core-request.ts';

/**
 * The token rate limit (core/policies/limit-token-rate.ts) over the leasing
 * layer (limits/leased-limiter.ts), with rate-limiter-flexible's memory
 * limiter standing in for the Redis one: several LeasedRateLimiters on one
 * memory limiter are several nodes on one Redis.
 */

/** One shared memory limiter per window shape, and a count of the calls the nodes made to it. */
function sharedStore() {
  const limiters = new Map<string, RateLimiterMemory>();
  const calls: number[] = [];
  const limiterFor = (window: RateWindow) => {
    const id = `${window.points}/${window.duration}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterMemory({ keyPrefix: `t-${id}`, ...window });
      const consume = limiter.consume.bind(limiter);
      limiter.consume = (key, points = 1, options) => {
        calls.push(Number(points));
        return consume(key, points, options);
      };
      limiters.set(id, limiter);
    }
    return limiter;
  };
  return { limiterFor, calls, limiters };
}

const quotas = (rate: number | null, burst: number | null): PlanQuotas => ({
  ...UNLIMITED.quotas,
  token_requests_per_second: rate,
  token_requests_burst: burst,
});
const tenantOn = (q: PlanQuotas, tid = 't1') =>
  ({ tenant: { tid, issuer: `https://as.example/${tid}`, limits: { quotas: q, monthly_caps: {} } } }) as TenantContext;

const tokenRoute = route({
  name: 'token',
  method: 'POST',
  path: '/token',
  steps: [step('issue', () => jsonAnswer({ access_token: 'x', token_type: 'Bearer', expires_in: 60 }))],
});
const introspectionRoute = route({
  name: 'introspection',
  method: 'POST',
  path: '/token/introspect',
  steps: [step('answer', () => jsonAnswer({ active: false }))],
});

describe('the plan as a rate window', () => {
  it('keeps the sustained rate and, when the burst is a multiple of it, the burst', () => {
    expect(tokenRateWindow(quotas(20, 40))).toEqual({ points: 40, duration: 2 });
    expect(tokenRateWindow(quotas(50, 50))).toEqual({ points: 50, duration: 1 });
    expect(tokenRateWindow(quotas(10, 50))).toEqual({ points: 50, duration: 5 });
    expect(tokenRateWindow(quotas(100, 30))).toEqual({ points: 100, duration: 1 });
    expect(tokenRateWindow(quotas(null, 40))).toBeUndefined();
    expect(tokenRateWindow(quotas(20, null))).toBeUndefined();
  });

  it('leases one point at a time below 400 points, at most 100', () => {
    expect([40, 399, 400, 2000, 10_000, 1e9].map(leaseSize)).toEqual([1, 1, 2, 10, 50, 100]);
  });
});

describe('the leased rate limiter', () => {
  it('lets exactly the window through a burst split over two nodes, and refuses the rest with the time left', async () => {
    const store = sharedStore();
    const clock = new ManualClock();
    const nodes = [new LeasedRateLimiter(store.limiterFor, clock), new LeasedRateLimiter(store.limiterFor, clock)];
    const window = { points: 50, duration: 5 };
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => nodes[i % 2]!.take('t1', window)));
    expect(results.filter((r) => r === 0)).toHaveLength(50);
    const refused = results.filter((r) => r > 0);
    expect(refused).toHaveLength(150);
    for (const ms of refused) expect(ms).toBeLessThanOrEqual(5000);
    // A node that saw the window exhausted refuses on its own: no call, no promise.
    const before = store.calls.length;
    expect(nodes[0]!.take('t1', window)).toBeGreaterThan(0);
    expect(nodes[1]!.take('t1', window)).toBeGreaterThan(0);
    expect(store.calls.length).toBe(before);
  });

  it('serves large limits from leases of 100 points: one call per 100 requests', async () => {
    const store = sharedStore();
    const limiter = new LeasedRateLimiter(store.limiterFor, new ManualClock());
    const window = { points: 1_000_000, duration: 1 };
    let allowed = 0;
    for (let i = 0; i < 1000; i++) if ((await limiter.take('t1', window)) === 0) allowed++;
    expect(allowed).toBe(1000);
    expect(store.calls).toEqual(Array(10).fill(100));
  });

  it('asks once for a burst that waits on one node, as many points as there are waiters', async () => {
    const store = sharedStore();
    const limiter = new LeasedRateLimiter(store.limiterFor, new ManualClock());
    const window = { points: 50, duration: 5 };
    const results = await Promise.all(Array.from({ length: 30 }, () => limiter.take('t1', window)));
    expect(results.every((r) => r === 0)).toBe(true);
    expect(store.calls.length).toBeLessThanOrEqual(2);
    expect(store.calls.reduce((a, b) => a + b, 0)).toBe(30);
  });

  it('keeps the points of a lease that overshot the window (partial grants), so nothing is lost between nodes', async () => {
    const store = sharedStore();
    const clock = new ManualClock();
    const nodes = [0, 1, 2].map(() => new LeasedRateLimiter(store.limiterFor, clock));
    const window = { points: 2500, duration: 5 }; // leases of 12
    let allowed = 0;
    for (let i = 0; i < 3000; i++) if ((await nodes[i % 3]!.take('t1', window)) === 0) allowed++;
    expect(allowed).toBe(2500);
  });

  it('serves again once the window has ended', async () => {
    const store = sharedStore();
    const clock = new ManualClock();
    const limiter = new LeasedRateLimiter(store.limiterFor, clock);
    const window = { points: 2, duration: 1 };
    expect(await limiter.take('t1', window)).toBe(0);
    expect(await limiter.take('t1', window)).toBe(0);
    const retry = await limiter.take('t1', window);
    expect(retry).toBeGreaterThan(0);
    // The shared window ends (the memory limiter keeps wall time: end it by hand), and this node's clock passes it.
    await store.limiters.get('2/1')!.delete('t1');
    clock.advance(retry);
    expect(await limiter.take('t1', window)).toBe(0);
  });

  it('fails open, one request at a time, when the shared limiter errs', async () => {
    const errors: unknown[] = [];
    const broken = () =>
      ({ consume: () => Promise.reject(new Error('redis is down')) }) as unknown as RateLimiterMemory;
    const limiter = new LeasedRateLimiter(broken, new ManualClock(), (err) => errors.push(err));
    expect(await limiter.take('t1', { points: 1, duration: 1 })).toBe(0);
    expect(errors).toHaveLength(1);
  });
});

describe('the limitTokenRate policy', () => {
  it('answers 429 rate_limited with Retry-After in whole seconds once the window is used up', async () => {
    const store = sharedStore();
    const policy = limitTokenRate(new LeasedRateLimiter(store.limiterFor, new ManualClock()));
    const tenant = tenantOn(quotas(1, 3));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await runRoute(tokenRoute, coreRequest(tenant, { path: '/token' }), [policy])).answer.status);
    expect(statuses).toEqual([200, 200, 200]);
    const { answer } = await runRoute(tokenRoute, coreRequest(tenant, { path: '/token' }), [policy]);
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toMatch(/^[1-3]$/);
    expect(answerBody(answer)).toMatchObject({ error: 'rate_limited' });
    expect(String(answerBody(answer).error_description)).toMatch(/retry in [1-3] s/);
    // Another tenant has a window of its own; other routes are not limited.
    expect(
      (await runRoute(tokenRoute, coreRequest(tenantOn(quotas(1, 3), 't2'), { path: '/token' }), [policy])).answer
        .status,
    ).toBe(200);
    expect(
      (await runRoute(introspectionRoute, coreRequest(tenant, { path: '/token/introspect' }), [policy])).answer.status,
    ).toBe(200);
  });

  it('does no work for a plan without a rate', () => {
    const store = sharedStore();
    const policy = limitTokenRate(new LeasedRateLimiter(store.limiterFor, new ManualClock()));
    const x = { request: coreRequest(tenantOn(quotas(null, null)), { path: '/token' }), route: tokenRoute } as never;
    expect(policy.before!(x)).toBeUndefined();
    expect(store.calls).toEqual([]);
    expect(store.limiters.size).toBe(0);
  });
});
