import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { quotaExceeded } from '@tessera/shared/billing/count-quota';
import { findPlan } from '@tessera/shared/billing/plan-store';
import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import { validateTenantConfig } from '@tessera/shared/config/validate-tenant-config';
import { mintApiToken, sha256Hex } from '@tessera/shared/http/api-token';
import { HttpError, notFound } from '@tessera/shared/http/errors';
import { announceTenantChange } from '@tessera/shared/tenancy/change-channel';
import { loadTenant, loadTenants } from '@tessera/shared/tenancy/tenant-reader';
import type { FastifyInstance } from 'fastify';
import { requireTenantAccess } from '../auth/admin-auth.ts';
import { auditActor } from '../auth/audit-actor.ts';
import { requirePermission } from '../auth/permissions.ts';
import { changeBillingPlan } from '../billing/plan-change.ts';
import { followRotationInterval } from '../temporal/key-rotation-schedule.ts';
import { checkNewIssuers } from '../tenants/issuer-policy.ts';
import { planProblem } from '../tenants/plans.ts';
import { checkCreateTenant, withBackend } from '../tenants/tenant-input.ts';
import { resultWithin, startDeprovisioning, startProvisioning, WAIT_MS } from '../tenants/tenant-workflows.ts';
import { tenantExists, updateTenant } from '../tenants/tenant-writer.ts';
import type { ControlPlaneDeps } from './deps.ts';
import { Alias, ErrorBody, JsonObject, TenantView, Tid, TidParams, WaitQuery } from './schemas.ts';
import { tenantView } from './tenant-view.ts';

const CreateBody = Type.Object(
  {
    tid: Tid,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    issuer: Type.String({ minLength: 1, maxLength: 2000 }),
    plan: Type.Optional(Type.String({ maxLength: 40 })),
    config: Type.Optional(JsonObject),
    aliases: Type.Optional(Type.Array(Alias, { maxItems: 20 })),
    attrs: Type.Optional(JsonObject),
  },
  { additionalProperties: false },
);
const PatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    plan: Type.Optional(Type.String({ maxLength: 40 })),
    config: Type.Optional(JsonObject),
    attrs: Type.Optional(JsonObject),
  },
  { additionalProperties: false, minProperties: 1 },
);
const Accepted = Type.Object({ tid: Type.String(), status: Type.String() });

const encodeCursor = (tid: string) => Buffer.from(tid, 'utf8').toString('base64url');
const decodeCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8');

/**
 * The tenants registry API (contract §5). Creation and deletion run as
 * Temporal workflows (provisionTenant, deprovisionTenant); reads and
 * patches go straight to Postgres.
 */
export function registerTenantRoutes(root: FastifyInstance, deps: ControlPlaneDeps): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db, redis, settings, keyStores, temporal, temporalSettings } = deps;

  app.post(
    '/tenants/rest/v1',
    {
      config: { permission: 'tenants:create' },
      schema: {
        summary: 'Create a tenant (starts provisionTenant; ?wait=true answers when it is active)',
        querystring: WaitQuery,
        body: CreateBody,
        response: {
          201: TenantView,
          202: TenantView,
          400: ErrorBody,
          403: ErrorBody,
          409: ErrorBody,
          502: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      requireTenantAccess(request, request.body.tid);
      const checked = checkCreateTenant(request.body, keyStores.defaultBackend, {
        pluginModules: settings.pluginModules,
      });
      const plan = await planProblem(db, request.body.plan ?? 'free');
      if (!checked.ok || plan) {
        const errors = [...(checked.ok ? [] : checked.errors), ...(plan ? [{ path: '$.plan', message: plan }] : [])];
        throw new HttpError(400, 'invalid_request', 'The tenant is invalid', { extra: { errors } });
      }
      const tenant = checked.value;
      // The aliases a tenant is created with count against its plan's alias quota (later ones: alias-writer.ts).
      const aliasQuota = (await findPlan(db, tenant.plan))?.quotas.issuer_aliases ?? null;
      if (aliasQuota !== null && tenant.aliases.length > aliasQuota) throw quotaExceeded('issuer_aliases', aliasQuota);
      // Quick answers before anything starts; the workflow checks again under the issuer lock.
      if (await tenantExists(db, tenant.tid))
        throw new HttpError(409, 'tenant_exists', `A tenant with tid "${tenant.tid}" already exists`);
      await checkNewIssuers(db, settings.issuerBaseUrls, request.admin, tenant.tid, [
        tenant.issuer,
        ...tenant.aliases.map((a) => a.issuer),
      ]);

      // The token is shown once, here; the workflow (and Temporal's history) only ever sees its hash.
      const apiToken = mintApiToken();
      const handle = await startProvisioning(
        temporal,
        temporalSettings,
        tenant,
        sha256Hex(apiToken),
        auditActor(request),
      );
      // The answer carries the API token: never cached.
      reply.header('location', `/tenants/rest/v1/${tenant.tid}`).header('cache-control', 'no-store');
      if (request.query.wait) {
        const result = (await resultWithin(handle, WAIT_MS))?.value;
        if (result?.status === 'active') {
          const created = await loadTenant(db, tenant.tid);
          if (created) return reply.code(201).send({ ...tenantView(created), api_token: apiToken });
        } else if (result?.status === 'failed') {
          if (result.code === 'tenant_exists' || result.code === 'issuer_taken' || result.code === 'issuer_conflict')
            throw new HttpError(409, result.code, result.reason);
          // The reason may carry an internal message (PKCS#11, PostgreSQL): logged, and kept in the tenant's status_reason.
          throw new HttpError(
            502,
            'provisioning_failed',
            `Provisioning failed${result.step ? ` at ${result.step}` : ''} and was undone; the tenant's status_reason says why`,
            { detail: result.reason },
          );
        }
      }
      const now = new Date();
      const view = tenantView({
        ...tenant,
        status: 'provisioning',
        statusReason: null,
        configVersion: 1,
        createdAt: now,
        updatedAt: now,
      });
      return reply.code(202).send({ ...view, api_token: apiToken });
    },
  );

  app.get(
    '/tenants/rest/v1',
    {
      schema: {
        summary: 'List tenants (a tenant-scoped admin token sees only its tenant)',
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: {
          200: Type.Object({ tenants: Type.Array(TenantView), next_cursor: Type.Union([Type.String(), Type.Null()]) }),
        },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const scope = request.admin?.tid ?? null;
      const tenants = await loadTenants(db, {
        limit,
        ...(cursor ? { after: decodeCursor(cursor) } : {}),
        ...(scope !== null ? { tid: scope } : {}),
      });
      const last = tenants.at(-1);
      return {
        tenants: tenants.map((t) => tenantView(t, request.admin)),
        next_cursor: tenants.length === limit && last ? encodeCursor(last.tid) : null,
      };
    },
  );

  app.get(
    '/tenants/rest/v1/:tid',
    {
      schema: {
        summary: 'Read a tenant',
        params: TidParams,
        response: { 200: TenantView, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const tenant = await loadTenant(db, request.params.tid);
      if (!tenant) throw notFound(`No tenant "${request.params.tid}"`, 'tenant_not_found');
      return tenantView(tenant, request.admin);
    },
  );

  app.patch(
    '/tenants/rest/v1/:tid',
    {
      schema: {
        summary: 'Change name, plan, attrs or config (a config change is a new version)',
        params: TidParams,
        body: PatchBody,
        response: { 200: TenantView, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 502: ErrorBody },
      },
    },
    async (request) => {
      const { tid } = request.params;
      const { config: rawConfig, ...rest } = request.body;
      // Name and config are the tenant's own; plan and attrs are the operator's record of it.
      if (rest.plan !== undefined || rest.attrs !== undefined) requirePermission(request, 'tenants:plan');
      const plan = rest.plan !== undefined ? await planProblem(db, rest.plan) : null;
      if (plan)
        throw new HttpError(400, 'invalid_request', 'The plan is unknown', {
          extra: { errors: [{ path: '$.plan', message: plan }] },
        });
      let config: TenantConfig | undefined;
      if (rawConfig !== undefined) {
        // A config that does not name a backend keeps the tenant's.
        const current = await loadTenant(db, tid);
        if (!current) throw notFound(`No tenant "${tid}"`, 'tenant_not_found');
        const result = validateTenantConfig(withBackend(rawConfig, current.config.keys.backend), {
          pluginModules: settings.pluginModules,
        });
        if (!result.ok) {
          const errors = result.errors.map((e) => ({ path: e.path.replace(/^\$/, '$.config'), message: e.message }));
          throw new HttpError(400, 'invalid_configuration', 'The configuration is invalid', { extra: { errors } });
        }
        config = result.config;
      }
      // Stripe first: if it refuses, the answer is 502 and the tenant keeps its plan.
      if (rest.plan !== undefined && deps.billing) await changeBillingPlan(db, deps.billing, tid, rest.plan);
      const found = await updateTenant(
        db,
        keyStores,
        tid,
        { ...rest, ...(config ? { config } : {}) },
        auditActor(request),
      );
      if (!found) throw notFound(`No tenant "${tid}"`, 'tenant_not_found');
      await announceTenantChange(db, redis, settings.redisPrefix, tid);
      if (config) await followRotationInterval(deps.temporal, tid, config.keys.rotationIntervalDays, request.log);
      return tenantView((await loadTenant(db, tid))!, request.admin);
    },
  );

  app.delete(
    '/tenants/rest/v1/:tid',
    {
      config: { permission: 'tenants:delete' },
      schema: {
        summary: 'Deprovision a tenant (starts deprovisionTenant; ?wait=true answers 204 when it is gone)',
        params: TidParams,
        querystring: WaitQuery,
        response: {
          202: Accepted,
          204: { type: 'null', description: 'the tenant is gone' },
          403: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { tid } = request.params;
      const tenant = await loadTenant(db, tid);
      if (!tenant) throw notFound(`No tenant "${tid}"`, 'tenant_not_found');
      if (tenant.status === 'provisioning')
        throw new HttpError(
          409,
          'tenant_provisioning',
          'The tenant is still being provisioned; delete it once it is active or failed',
        );
      const handle = await startDeprovisioning(temporal, temporalSettings, tid, auditActor(request));
      if (request.query.wait && (await resultWithin(handle, WAIT_MS))) return reply.code(204).send();
      return reply.code(202).send({ tid, status: 'deprovisioning' });
    },
  );
}
