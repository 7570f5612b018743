import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { appendAudit } from '@tessera/shared/audit/audit-log';
import { parseTenantConfig } from '@tessera/shared/config/validate-tenant-config';
import { HttpError, notFound } from '@tessera/shared/http/errors';
import {
  ResourceServerBody,
  ResourceServerId,
  ResourceServerUpdateBody,
  ResourceServerView,
} from '@tessera/shared/resources/resource-server';
import {
  createResourceServer,
  deleteResourceServer,
  listResourceServers,
  readResourceServer,
  replaceResourceServer,
} from '@tessera/shared/resources/resource-server-admin';
import { PostgresResourceServerStore } from '@tessera/shared/resources/resource-server-store';
import { announceTenantChange } from '@tessera/shared/tenancy/change-channel';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { auditActor } from '../auth/audit-actor.ts';
import type { ControlPlaneDeps } from './deps.ts';
import { ErrorBody, Tid } from './schemas.ts';

/**
 * A tenant's resource servers (APIs, docs/oauth.md "APIs and audiences")
 * under the tenants registry: the same operations and table as the data
 * plane's integration API (shared/src/resources/resource-server-admin.ts).
 * Open to every role within its tenant, like its API tokens. Each change is
 * audited and announced as a tenant change, so data-plane nodes drop their
 * cached copies (and catch up at resync if the message is lost).
 */
export function registerResourceServerRoutes(root: FastifyInstance, deps: ControlPlaneDeps): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db, redis, settings } = deps;
  const store = new PostgresResourceServerStore(db);
  /** The tenant's current config (its signing algorithms bound `access_token.alg`); 404 without the tenant. */
  const configOf = async (tid: string) => {
    const row = await db
      .selectFrom('tenants')
      .innerJoin('tenant_configs', (j) =>
        j
          .onRef('tenant_configs.tid', '=', 'tenants.tid')
          .onRef('tenant_configs.version', '=', 'tenants.config_version'),
      )
      .select(['tenants.status', 'tenant_configs.config'])
      .where('tenants.tid', '=', tid)
      .executeTakeFirst();
    if (!row) throw notFound(`No tenant "${tid}"`, 'tenant_not_found');
    return { status: row.status, config: parseTenantConfig(row.config) };
  };
  const writable = async (tid: string) => {
    const found = await configOf(tid);
    if (found.status === 'failed' || found.status === 'deprovisioning')
      throw new HttpError(409, 'invalid_status', `The tenant is ${found.status}`);
    return found.config;
  };
  const changed = async (request: FastifyRequest, tid: string, action: string, identifier: string) => {
    await appendAudit(db, [{ tid, actor: auditActor(request), action, target: `resource_server:${identifier}` }]);
    await announceTenantChange(db, redis, settings.redisPrefix, tid);
  };
  const base = '/tenants/rest/v1/:tid/resource-servers';
  const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

  app.post(
    base,
    {
      schema: {
        summary: "Register a resource server (API): its identifier is the RFC 8707 resource and the tokens' aud",
        params: Type.Object({ tid: Tid }),
        body: ResourceServerBody,
        response: { 201: ResourceServerView, ...errors },
      },
    },
    async (request, reply) => {
      const { tid } = request.params;
      const created = await createResourceServer(store, tid, await writable(tid), request.body);
      await changed(request, tid, 'resource_server.created', created.identifier);
      return reply.code(201).send(created);
    },
  );

  app.get(
    base,
    {
      schema: {
        summary: "List the tenant's resource servers",
        params: Type.Object({ tid: Tid }),
        response: {
          200: Type.Object({ resource_servers: Type.Array(ResourceServerView) }),
          403: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (request) => {
      const { tid } = request.params;
      await configOf(tid);
      return { resource_servers: await listResourceServers(store, tid) };
    },
  );

  app.get(
    `${base}/:id`,
    {
      schema: {
        summary: 'Read a resource server',
        params: Type.Object({ tid: Tid, id: ResourceServerId }),
        response: { 200: ResourceServerView, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { tid, id } = request.params;
      await configOf(tid);
      return readResourceServer(store, tid, id);
    },
  );

  app.put(
    `${base}/:id`,
    {
      schema: {
        summary: 'Replace a resource server (all but its identifier)',
        params: Type.Object({ tid: Tid, id: ResourceServerId }),
        body: ResourceServerUpdateBody,
        response: { 200: ResourceServerView, ...errors },
      },
    },
    async (request) => {
      const { tid, id } = request.params;
      const updated = await replaceResourceServer(store, tid, await writable(tid), id, request.body);
      await changed(request, tid, 'resource_server.updated', updated.identifier);
      return updated;
    },
  );

  app.delete(
    `${base}/:id`,
    {
      schema: {
        summary: 'Delete a resource server: tokens for it are refused new, issued ones live out their lifetime',
        params: Type.Object({ tid: Tid, id: ResourceServerId }),
        response: { 204: { type: 'null', description: 'deleted' }, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { tid, id } = request.params;
      await writable(tid);
      const deleted = await deleteResourceServer(store, tid, id);
      await changed(request, tid, 'resource_server.deleted', deleted.identifier);
      return reply.code(204).send();
    },
  );
}
