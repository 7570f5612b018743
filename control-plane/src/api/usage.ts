import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { METRICS } from '@tessera/shared/billing/metrics';
import type { MonthlyCaps } from '@tessera/shared/billing/plan';
import { errors } from '@tessera/shared/http/error-constructors';
import { notFound } from '@tessera/shared/http/errors';
import type { FastifyInstance } from 'fastify';
import { summariseUsage } from '../billing/usage-summary.ts';
import type { ControlPlaneDeps } from './deps.ts';
import { ErrorBody, TidParams } from './schemas.ts';

/** The longest range one request may ask for: a year, leap day included. */
const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a UTC day, YYYY-MM-DD' });
const UsageQuery = Type.Object({ from: Day, to: Day }, { additionalProperties: false });
const ByMetric = Type.Object(Object.fromEntries(METRICS.map((m) => [m, Type.Integer({ minimum: 0 })])));
const UsageView = Type.Object({
  tid: Type.String(),
  from: Type.String(),
  to: Type.String(),
  days: Type.Array(
    Type.Object({
      day: Type.String(),
      dimensions: Type.Record(Type.String(), Type.Integer(), {
        description:
          'tokens:<grant_type>, authorizations, sign_ins, introspections, monthly_active_subjects (month to date)',
      }),
    }),
  ),
  totals: ByMetric,
  months: Type.Array(
    Type.Object({
      month: Type.String(),
      usage: ByMetric,
      overage: Type.Partial(ByMetric, { description: "beyond the plan's soft monthly caps" }),
    }),
  ),
});

/** A real calendar day (the pattern lets 2030-02-31 through), as ms since the epoch. */
function dayMs(day: string, name: string): number {
  const ms = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day)
    throw errors.invalidRequest(`${name} is not a calendar day (YYYY-MM-DD)`);
  return ms;
}

/**
 * `GET /tenants/rest/v1/{tid}/usage?from=YYYY-MM-DD&to=YYYY-MM-DD`
 * (contract §5, docs/billing.md): the usage the job aggregated, per day and
 * dimension, totals per metric, and per month the overage beyond the plan's
 * soft caps. Any admin role within its tenant (a tenant-scoped token sees
 * its own: the admin auth hook checks `:tid`). 400 for a day that is not one,
 * from after to, or more than 366 days.
 */
export function registerUsageRoutes(root: FastifyInstance, deps: ControlPlaneDeps): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = deps;
  app.get(
    '/tenants/rest/v1/:tid/usage',
    {
      schema: {
        summary: "A tenant's metered usage",
        params: TidParams,
        querystring: UsageQuery,
        response: { 200: UsageView, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { tid } = request.params;
      const { from, to } = request.query;
      const fromMs = dayMs(from, 'from');
      const toMs = dayMs(to, 'to');
      if (fromMs > toMs) throw errors.invalidRequest('from is after to');
      if ((toMs - fromMs) / DAY_MS + 1 > MAX_DAYS) throw errors.invalidRequest(`At most ${MAX_DAYS} days at once`);
      const tenant = await db
        .selectFrom('tenants')
        .innerJoin('plans', 'plans.id', 'tenants.plan')
        .select(['plans.monthly_caps'])
        .where('tenants.tid', '=', tid)
        .executeTakeFirst();
      if (!tenant) throw notFound(`No tenant "${tid}"`, 'tenant_not_found');
      // The whole months the range touches: a month's figures and overage are the month's, not the range's.
      const lastOfMonth = new Date(Date.UTC(Number(to.slice(0, 4)), Number(to.slice(5, 7)), 0)).toISOString();
      const rows = await db
        .selectFrom('usage')
        .select(['day', 'dimension', 'value'])
        .where('tid', '=', tid)
        .where('day', '>=', `${from.slice(0, 7)}-01`)
        .where('day', '<=', lastOfMonth.slice(0, 10))
        .execute();
      const summary = summariseUsage(
        rows.map((r) => ({ day: r.day, dimension: r.dimension, value: Number(r.value) })),
        { from, to },
        (tenant.monthly_caps ?? {}) as MonthlyCaps,
      );
      return { tid, from, to, ...summary };
    },
  );
}
