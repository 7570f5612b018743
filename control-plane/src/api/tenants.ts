import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { validateTenantConfig } from '@tessera/shared/config/validate-tenant-config';
import { HttpError, notFound } from '@tessera/shared/http/errors';
import { publishTenantChange } from '@tessera/shared/tenancy/change-channel';
import { loadTenant, loadTenants } from '@tessera/shared/tenancy/tenant-reader';
import { checkCreateTenant, withBackend } from '../tenants/tenant-input.ts';
import { createTenant, updateTenant } from '../tenants/tenant-writer.ts';
import type { ControlPlaneDeps } from './deps.ts';
import { Alias, ErrorBody, JsonObject, TenantView } from './schemas.ts';
import { tenantView } from './tenant-view.ts';

const Tid = Type.String({ minLength: 1, maxLength: 63 });
const CreateBody = Type.Object(
  {
    tid: Tid,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    issuer: Type.String({ minLength: 1, maxLength: 2000 }),
    plan: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$' })),
    config: Type.Optional(JsonObject),
    aliases: Type.Optional(Type.Array(Alias, { maxItems: 20 })),
    attrs: Type.Optional(JsonObject),
  },
  { additionalProperties: false },
);
const PatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    plan: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$' })),
    config: Type.Optional(JsonObject),
    attrs: Type.Optional(JsonObject),
  },
  { additionalProperties: false, minProperties: 1 },
);
const TidParams = Type.Object({ tid: Tid });

const encodeCursor = (tid: string) => Buffer.from(tid, 'utf8').toString('base64url');
const decodeCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8');

/** The tenants registry API (contract §5). Writes directly for now; provisioning moves to Temporal later. */
export function registerTenantRoutes(root: FastifyInstance, deps: ControlPlaneDeps): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db, redis, settings, keyStores, masterKey } = deps;
  const announce = (tid: string) => publishTenantChange(redis, settings.redisPrefix, { tid, kind: 'upsert' });

  app.post(
    '/tenants/rest/v1',
    { schema: { summary: 'Create a tenant', body: CreateBody, response: { 201: TenantView, 400: ErrorBody, 409: ErrorBody } } },
    async (request, reply) => {
      const checked = checkCreateTenant(request.body, keyStores.defaultBackend);
      if (!checked.ok) {
        throw new HttpError(400, 'invalid_request', 'The tenant is invalid', { extra: { errors: checked.errors } });
      }
      const { apiToken } = await createTenant(db, keyStores, masterKey, checked.value);
      await announce(checked.value.tid);
      const tenant = await loadTenant(db, checked.value.tid);
      return reply.code(201).header('location', `/tenants/rest/v1/${checked.value.tid}`).send({ ...tenantView(tenant!), api_token: apiToken });
    },
  );

  app.get(
    '/tenants/rest/v1',
    {
      schema: {
        summary: 'List tenants',
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: { 200: Type.Object({ tenants: Type.Array(TenantView), next_cursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const tenants = await loadTenants(db, { limit, ...(cursor ? { after: decodeCursor(cursor) } : {}) });
      const last = tenants.at(-1);
      return {
        tenants: tenants.map(tenantView),
        next_cursor: tenants.length === limit && last ? encodeCursor(last.tid) : null,
      };
    },
  );

  app.get(
    '/tenants/rest/v1/:tid',
    { schema: { summary: 'Read a tenant', params: TidParams, response: { 200: TenantView, 404: ErrorBody } } },
    async (request) => {
      const tenant = await loadTenant(db, request.params.tid);
      if (!tenant) throw notFound(`No tenant "${request.params.tid}"`, 'tenant_not_found');
      return tenantView(tenant);
    },
  );

  app.patch(
    '/tenants/rest/v1/:tid',
    {
      schema: {
        summary: 'Change name, plan, attrs or config (a config change is a new version)',
        params: TidParams,
        body: PatchBody,
        response: { 200: TenantView, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { tid } = request.params;
      const { config: rawConfig, ...rest } = request.body;
      let config;
      if (rawConfig !== undefined) {
        // A config that does not name a backend keeps the tenant's.
        const current = await loadTenant(db, tid);
        if (!current) throw notFound(`No tenant "${tid}"`, 'tenant_not_found');
        const result = validateTenantConfig(withBackend(rawConfig, current.config.keys.backend));
        if (!result.ok) {
          const errors = result.errors.map((e) => ({ path: e.path.replace(/^\$/, '$.config'), message: e.message }));
          throw new HttpError(400, 'invalid_configuration', 'The configuration is invalid', { extra: { errors } });
        }
        config = result.config;
      }
      const found = await updateTenant(db, keyStores, tid, { ...rest, ...(config ? { config } : {}) });
      if (!found) throw notFound(`No tenant "${tid}"`, 'tenant_not_found');
      await announce(tid);
      return tenantView((await loadTenant(db, tid))!);
    },
  );
}
