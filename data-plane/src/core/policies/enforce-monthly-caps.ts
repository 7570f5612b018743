import { type Metric, metricOf } from '@tessera/shared/billing/metrics';
import type { MonthlyCap, MonthlyCaps } from '@tessera/shared/billing/plan';
import { errors } from '@tessera/shared/http/error-constructors';
import type { MonthUsage } from '../../limits/month-usage.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Policy, PolicyExchange } from '../policy.ts';
import { isPending } from '../step.ts';

/**
 * Which requests each metric's hard cap refuses, by route name. A monthly
 * active subjects cap cannot tell cheaply whether a sign-in is by a subject
 * already active this month (the subjects are a HyperLogLog, which answers
 * counts, not membership, and the subject is known only after the password
 * is checked): once it is reached, sign-ins are refused, while subjects
 * with a session or a refresh token keep getting tokens.
 */
const ROUTE_METRICS: Readonly<Record<string, readonly Metric[]>> = {
  token: ['tokens'],
  introspection: ['introspections'],
  authorization: ['authorizations'],
  'authorization.post': ['authorizations'],
  'authz-sessions.start': ['authorizations'],
  'direct-authz': ['authorizations'],
  'login.authenticate': ['sign_ins', 'monthly_active_subjects'],
};
/** The password grant is a sign-in as well as a token request. */
const PASSWORD_GRANT_METRICS: readonly Metric[] = ['tokens', 'sign_ins', 'monthly_active_subjects'];

const NAMES: Record<Metric, string> = {
  tokens: 'tokens',
  authorizations: 'authorizations',
  sign_ins: 'sign-ins',
  introspections: 'introspections',
  monthly_active_subjects: 'monthly active subjects',
};

/** The hard caps of a plan, by route; null when it has none (no work). */
type HardCaps = ReadonlyMap<string, ReadonlyArray<readonly [Metric, number]>> | null;

function hardCapsOf(caps: MonthlyCaps): HardCaps {
  const hard = (metric: Metric): MonthlyCap | undefined => (caps[metric]?.kind === 'hard' ? caps[metric] : undefined);
  const byRoute = new Map<string, Array<readonly [Metric, number]>>();
  const routes = [...Object.entries(ROUTE_METRICS), ['token:password', PASSWORD_GRANT_METRICS] as const];
  for (const [route, metrics] of routes) {
    const limits = metrics.flatMap((m) => (hard(m) ? [[m, hard(m)!.limit] as const] : []));
    if (limits.length > 0) byRoute.set(route, limits);
  }
  return byRoute.size > 0 ? byRoute : null;
}

const routeKey = (x: PolicyExchange): string =>
  x.route.name === 'token' && (x.request.body as { grant_type?: unknown } | undefined)?.grant_type === 'password'
    ? 'token:password'
    : x.route.name;

/** The first day of the next month (UTC), when the caps start again. */
function nextMonth(now: number): string {
  const d = new Date(now);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
}

/** 403 `quota_exceeded`, naming the cap: waiting a few seconds does not help, a new month or another plan does. */
function capReached(metric: Metric, limit: number, now: number): never {
  throw errors.quotaExceeded(
    `The plan's monthly cap of ${limit} ${NAMES[metric]} is reached; it resets on ${nextMonth(now)} (UTC)`,
  );
}

/**
 * Hard monthly caps (plan.monthly_caps, kind `hard`): a request of a capped
 * metric is refused once the tenant's month-to-date count reaches the
 * limit; soft caps never refuse (the overage is billed). The counts are
 * each node's view (limits/month-usage.ts): the fleet's figures every few
 * seconds plus its own since, so no I/O per request but a tenant's first.
 */
export function enforceMonthlyCaps(monthUsage: MonthUsage, clock: Clock): Policy {
  const now = () => clock.now();
  const compiled = new WeakMap<object, HardCaps>();
  // One per policy, so two data planes in one process share nothing.
  const metrics = new Map<string, Metric | undefined>();
  const capsOf = (caps: MonthlyCaps): HardCaps => {
    let hard = compiled.get(caps);
    if (hard === undefined) compiled.set(caps, (hard = hardCapsOf(caps)));
    return hard;
  };
  return {
    name: 'enforceMonthlyCaps',
    // After the route's admission (API tokens): only an authenticated caller learns that a cap is reached.
    admitted(x) {
      const tenant = x.request.tenant?.tenant;
      if (tenant === undefined) return;
      const limits = capsOf(tenant.limits.monthly_caps)?.get(routeKey(x));
      if (limits === undefined) return;
      return check(monthUsage, tenant.tid, limits, 0, now);
    },
    after(x, answer) {
      // What the steps metered (Exchange.meter) goes into this node's view at once, as the meterUsage policy counts it.
      const { usage } = x;
      const tenant = x.request.tenant?.tenant;
      if (usage === undefined || tenant === undefined || answer.status >= 400) return;
      if (capsOf(tenant.limits.monthly_caps) === null) return;
      for (let i = 0; i < usage.length; i += 2) {
        const metric = metricOfDimension(metrics, usage[i]!);
        if (metric !== undefined) monthUsage.count(tenant.tid, metric);
      }
    },
  };
}

/** Usage dimensions are a handful of constant strings (`tokens:<grant_type>`, `sign_ins`, …): their metric, looked up once. */
function metricOfDimension(metrics: Map<string, Metric | undefined>, dimension: string): Metric | undefined {
  const known = metrics.get(dimension);
  if (known !== undefined || metrics.has(dimension)) return known;
  const metric = metricOf(dimension);
  if (metrics.size < 1000) metrics.set(dimension, metric); // bounded, whatever a step meters
  return metric;
}

/** Check the limits from `from` on; a promise only while the tenant's first figures are read. */
function check(
  usage: MonthUsage,
  tid: string,
  limits: ReadonlyArray<readonly [Metric, number]>,
  from: number,
  now: () => number,
): undefined | Promise<undefined> {
  for (let i = from; i < limits.length; i++) {
    const [metric, limit] = limits[i]!;
    const total = usage.total(tid, metric);
    if (isPending(total))
      return total.then((t) => (t >= limit ? capReached(metric, limit, now()) : check(usage, tid, limits, i + 1, now)));
    if (total >= limit) capReached(metric, limit, now());
  }
  return undefined;
}
