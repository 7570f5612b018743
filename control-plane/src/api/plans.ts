import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DEFAULT_AUDIT_RETENTION_DAYS, MAX_AUDIT_RETENTION_DAYS } from '@tessera/shared/billing/plan';
import { findPlan, listPlans } from '@tessera/shared/billing/plan-store';
import { errors } from '@tessera/shared/http/error-constructors';
import type { FastifyInstance } from 'fastify';
import { auditActor } from '../auth/audit-actor.ts';
import { announcePlanTenants } from '../plans/plan-announcer.ts';
import { checkPlan } from '../plans/plan-checks.ts';
import { deletePlan, savePlan } from '../plans/plan-writer.ts';
import type { ControlPlaneDeps } from './deps.ts';
import { ErrorBody, JsonObject } from './schemas.ts';

const RetentionDays = Type.Integer({
  minimum: 1,
  maximum: MAX_AUDIT_RETENTION_DAYS,
  description: "how long the audit log keeps a tenant's records (docs/audit.md)",
});
const Count = Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'null: unlimited' });
const PlanView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  quotas: Type.Object({
    clients: Count,
    users: Count,
    monthly_active_subjects: Count,
    token_requests_per_second: Count,
    token_requests_burst: Count,
    issuer_aliases: Count,
    api_tokens: Count,
  }),
  monthly_caps: Type.Record(
    Type.String(),
    Type.Object({
      limit: Type.Integer({ minimum: 0 }),
      kind: Type.Union([Type.Literal('soft'), Type.Literal('hard')]),
    }),
    { description: 'per metric (tokens, authorizations, sign_ins, introspections, monthly_active_subjects)' },
  ),
  stripe: Type.Object({
    price_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    meters: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Object({
          event_name: Type.String(),
          price_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
        }),
      ),
    ),
  }),
  audit_retention_days: RetentionDays,
});
const PlanId = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$' });
const IdParams = Type.Object({ id: PlanId });
/** Members are checked by plan-checks.ts (400 invalid_plan listing every problem), not by the schema. */
const PlanBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    quotas: Type.Record(Type.String(), Type.Unknown(), {
      description: 'every quota of PlanView.quotas: a non-negative integer, or null for unlimited',
    }),
    monthly_caps: Type.Optional(JsonObject),
    stripe: Type.Optional(JsonObject),
    audit_retention_days: Type.Optional(
      Type.Unknown({ description: `1 to ${MAX_AUDIT_RETENTION_DAYS} days; default ${DEFAULT_AUDIT_RETENTION_DAYS}` }),
    ),
  },
  { additionalProperties: false },
);

/**
 * Plans (contract §5, docs/billing.md): the price list, readable by every
 * admin caller, tenant-scoped tokens included; created, replaced and deleted
 * by the operator (permission `plans:manage`). A change reaches the tenants
 * on the plan at once: each is announced, so data-plane nodes re-read its
 * limits.
 */
export function registerPlanRoutes(root: FastifyInstance, deps: ControlPlaneDeps): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db, redis, settings } = deps;
  const noPlan = (id: string) => errors.planNotFound(`No plan "${id}"`);

  app.get(
    '/plans/rest/v1',
    {
      schema: {
        summary: 'List the plans with their quotas, monthly caps and Stripe prices',
        response: { 200: Type.Object({ plans: Type.Array(PlanView) }) },
      },
    },
    async () => ({ plans: await listPlans(db) }),
  );

  app.get(
    '/plans/rest/v1/:id',
    {
      schema: {
        summary: 'Read a plan',
        params: IdParams,
        response: { 200: PlanView, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const plan = await findPlan(db, request.params.id);
      if (!plan) throw noPlan(request.params.id);
      return plan;
    },
  );

  app.put(
    '/plans/rest/v1/:id',
    {
      config: { permission: 'plans:manage' },
      schema: {
        summary: 'Create or replace a plan (operator); every tenant on it is announced',
        params: IdParams,
        body: PlanBody,
        response: { 200: PlanView, 201: PlanView, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const checked = checkPlan(id, request.body);
      if (!checked.ok) throw errors.invalidPlan('The plan is invalid', { extra: { errors: checked.errors } });
      const created = await savePlan(db, checked.plan, auditActor(request));
      if (!created) await announcePlanTenants(db, redis, settings.redisPrefix, id);
      const saved = (await findPlan(db, id))!;
      if (created) reply.code(201).header('location', `/plans/rest/v1/${id}`);
      return saved;
    },
  );

  app.delete(
    '/plans/rest/v1/:id',
    {
      config: { permission: 'plans:manage' },
      schema: {
        summary: 'Delete a plan no tenant is on (operator)',
        params: IdParams,
        response: {
          204: { type: 'null', description: 'deleted' },
          400: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      if (!(await deletePlan(db, request.params.id, auditActor(request)))) throw noPlan(request.params.id);
      return reply.code(204).send();
    },
  );
}
