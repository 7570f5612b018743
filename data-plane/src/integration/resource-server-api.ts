import { type Static, Type } from '@sinclair/typebox';
import {
  ResourceServerBody,
  ResourceServerId,
  ResourceServerUpdateBody,
} from '@tessera/shared/resources/resource-server';
import {
  createResourceServer,
  deleteResourceServer,
  listResourceServers,
  readResourceServer,
  replaceResourceServer,
} from '@tessera/shared/resources/resource-server-admin';
import { emptyAnswer, jsonAnswer } from '../core/core-answer.ts';
import type { TenantRequest } from '../core/core-request.ts';
import type { Endpoint } from '../core/endpoint.ts';
import { route } from '../core/route.ts';
import { step } from '../core/step.ts';
import { requireApiToken } from './api-token-auth.ts';

const BASE = '/resource-servers/rest/v1';
const IdParams = Type.Object({ id: ResourceServerId });

type RsRequest<Body = unknown> = TenantRequest<Body, unknown, { id: string }>;

/**
 * The tenant's resource servers (APIs, docs/oauth.md "APIs and audiences")
 * at `/resource-servers/rest/v1` (tenant API token): create, list, read,
 * replace and delete. The operations are shared with the control plane's
 * API (shared/src/resources/resource-server-admin.ts); each change is
 * announced as a tenant change, so every node drops its cached copies.
 */
export const resourceServerApi: Endpoint = {
  name: 'resource-servers',
  area: 'management',
  routes: (deps) => {
    const store = deps.oauth.resourceServerStore;
    const admission = [requireApiToken(deps)];
    const tidOf = (request: TenantRequest) => request.tenant.tenant.tid;

    const create = step<object, RsRequest<Static<typeof ResourceServerBody>>>('createResourceServer', async (x) => {
      const { tenant } = x.request.tenant;
      const created = await createResourceServer(store, tenant.tid, tenant.config, x.request.body);
      await deps.announce(tenant.tid);
      return jsonAnswer(created, 201, { location: `${x.request.issuer}${BASE}/${created.id}` });
    });
    const list = step<object, RsRequest>('listResourceServers', async (x) =>
      jsonAnswer({ resource_servers: await listResourceServers(store, tidOf(x.request)) }),
    );
    const read = step<object, RsRequest>('readResourceServer', async (x) =>
      jsonAnswer(await readResourceServer(store, tidOf(x.request), x.request.params.id)),
    );
    const replace = step<object, RsRequest<Static<typeof ResourceServerUpdateBody>>>(
      'replaceResourceServer',
      async (x) => {
        const { tenant } = x.request.tenant;
        const updated = await replaceResourceServer(
          store,
          tenant.tid,
          tenant.config,
          x.request.params.id,
          x.request.body,
        );
        await deps.announce(tenant.tid);
        return jsonAnswer(updated);
      },
    );
    const remove = step<object, RsRequest>('deleteResourceServer', async (x) => {
      const tid = tidOf(x.request);
      await deleteResourceServer(store, tid, x.request.params.id);
      await deps.announce(tid);
      return emptyAnswer(204);
    });

    const one = `${BASE}/:id`;
    return [
      route({
        name: 'resource-servers.create',
        method: 'POST',
        path: BASE,
        schema: { body: ResourceServerBody },
        // A resource server with the identifier exists.
        errorStatuses: [409],
        admission,
        steps: [create],
      }),
      route({ name: 'resource-servers.list', method: 'GET', path: BASE, admission, steps: [list] }),
      route({
        name: 'resource-servers.read',
        method: 'GET',
        path: one,
        schema: { params: IdParams },
        admission,
        steps: [read],
      }),
      route({
        name: 'resource-servers.replace',
        method: 'PUT',
        path: one,
        schema: { params: IdParams, body: ResourceServerUpdateBody },
        admission,
        steps: [replace],
      }),
      route({
        name: 'resource-servers.delete',
        method: 'DELETE',
        path: one,
        schema: { params: IdParams },
        admission,
        steps: [remove],
      }),
    ];
  },
};
