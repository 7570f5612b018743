import type { TenantConfig } from '../config/tenant-config.ts';
import { HttpError } from '../http/errors.ts';
import { resourceIndicatorProblem } from './resource-indicator.ts';
import {
  type ResourceServer,
  type ResourceServerBody,
  type ResourceServerFields,
  type ResourceServerUpdateBody,
  type ResourceServerView,
  resourceServerView,
} from './resource-server.ts';
import { MAX_RESOURCE_SERVERS, type ResourceServerStore, TooManyResourceServers } from './resource-server-store.ts';

/**
 * The management of a tenant's resource servers, one module for both
 * management APIs: the data plane's integration API (tenant API token,
 * data-plane/src/integration/resource-server-api.ts) and the control
 * plane's (control-plane/src/api/resource-servers.ts). The body has passed
 * its typebox schema; what the schema cannot say is checked here, before
 * anything is written. The caller announces a change so that nodes drop
 * their cached copies.
 */

const badRequest = (description: string) => new HttpError(400, 'invalid_request', description);
const notFound = (id: string) => new HttpError(404, 'not_found', `No resource server with the id "${id}"`);

function fieldsOf(config: TenantConfig, body: ResourceServerUpdateBody): Omit<ResourceServerFields, 'identifier'> {
  const alg = body.access_token?.alg;
  if (alg !== undefined && !(config.keys.signingAlgorithms as readonly string[]).includes(alg))
    throw badRequest(`access_token.alg: ${alg} is not one of the tenant's keys.signingAlgorithms`);
  return {
    name: body.name,
    scopes: body.scopes ?? [],
    accessToken: { ...body.access_token },
    allowedClients: body.allowed_clients === undefined || body.allowed_clients === '*' ? null : body.allowed_clients,
  };
}

export async function createResourceServer(
  store: ResourceServerStore,
  tid: string,
  config: TenantConfig,
  body: ResourceServerBody,
): Promise<ResourceServerView> {
  const problem = resourceIndicatorProblem(body.identifier);
  if (problem) throw badRequest(`identifier: ${problem}`);
  const fields = { identifier: body.identifier, ...fieldsOf(config, body) };
  let created: ResourceServer | undefined;
  try {
    created = await store.create(tid, fields);
  } catch (err) {
    if (err instanceof TooManyResourceServers)
      throw new HttpError(403, 'quota_exceeded', `A tenant may have at most ${MAX_RESOURCE_SERVERS} resource servers`);
    throw err;
  }
  if (!created) throw new HttpError(409, 'conflict', `A resource server with the identifier ${body.identifier} exists`);
  return resourceServerView(created);
}

export async function listResourceServers(store: ResourceServerStore, tid: string): Promise<ResourceServerView[]> {
  return (await store.list(tid)).map(resourceServerView);
}

export async function readResourceServer(
  store: ResourceServerStore,
  tid: string,
  id: string,
): Promise<ResourceServerView> {
  const found = await store.getById(tid, id);
  if (!found) throw notFound(id);
  return resourceServerView(found);
}

export async function replaceResourceServer(
  store: ResourceServerStore,
  tid: string,
  config: TenantConfig,
  id: string,
  body: ResourceServerUpdateBody,
): Promise<ResourceServerView> {
  const updated = await store.update(tid, id, fieldsOf(config, body));
  if (!updated) throw notFound(id);
  return resourceServerView(updated);
}

/** Deletes; answers what was deleted (its identifier, for the caller's cache and audit). */
export async function deleteResourceServer(
  store: ResourceServerStore,
  tid: string,
  id: string,
): Promise<ResourceServer> {
  const deleted = await store.delete(tid, id);
  if (!deleted) throw notFound(id);
  return deleted;
}
