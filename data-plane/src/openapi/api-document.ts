import { errorResponseRef, usedErrorComponents } from '@tessera/shared/http/openapi-errors';
import type { Endpoint } from '../core/endpoint.ts';
import { RATE_LIMITED_ROUTES } from '../core/policies/limit-token-rate.ts';
import type { AnyRoute, HttpMethod } from '../core/route.ts';

type Json = Record<string, unknown>;

/** The endpoints with an API document: the integration APIs (management area) and client registration. */
export const documentedApi = (endpoint: Endpoint): boolean =>
  endpoint.area === 'management' || endpoint.area === 'client-registration';

/** A TypeBox schema as plain JSON Schema (its symbols dropped). */
const plain = (schema: unknown): Json => JSON.parse(JSON.stringify(schema)) as Json;

/** `/clients/:client_id` → `/clients/{client_id}` */
const openApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}');

/** Path and query parameters from a route's object schemas; a query member with a default is optional. */
function parameters(route: AnyRoute): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [
    ['path', route.schema?.params],
    ['query', route.schema?.querystring],
  ] as const) {
    if (!schema) continue;
    const object = plain(schema);
    const required = new Set((object.required as string[] | undefined) ?? []);
    for (const [name, member] of Object.entries((object.properties ?? {}) as Record<string, Json>)) {
      const needed = where === 'path' || (required.has(name) && member.default === undefined);
      out.push({ name, in: where, required: needed, schema: member });
    }
  }
  // A path parameter the schema does not describe is still a parameter (a plain string).
  for (const [, name] of route.path.matchAll(/:(\w+)/g))
    if (!out.some((p) => p.in === 'path' && p.name === name))
      out.push({ name, in: 'path', required: true, schema: { type: 'string' } });
  return out;
}

function responses(route: AnyRoute, secured: boolean): Json {
  const declared = Object.entries(route.schema?.response ?? {});
  // Routes without declared answers: any 2xx, its body described in the API's page (docs/).
  const out: Json = declared.some(([status]) => status.startsWith('2')) ? {} : { '2XX': { description: 'success' } };
  for (const [status, schema] of declared)
    out[status] = { description: `${status} answer`, content: { 'application/json': { schema: plain(schema) } } };
  // Any tenant route: 400 (no such tenant, malformed request), 403 (suspended tenant, quota), 404 (nothing there);
  // 409 where the route says it can conflict, 429 where the plan's rate limit applies to it.
  const errors = secured ? ['400', '401', '403', '404'] : ['400', '403', '404'];
  for (const status of route.errorStatuses ?? []) errors.push(String(status));
  if (RATE_LIMITED_ROUTES.has(route.name)) errors.push('429');
  for (const status of errors) if (!(status in out)) out[status] = errorResponseRef(status);
  return out;
}

/** `client-registration.read` → `Client registration: read` */
const summaryOf = (name: string): string => {
  const [api = name, action] = name.split('.');
  const title = api.charAt(0).toUpperCase() + api.slice(1).replace(/-/g, ' ');
  return action ? `${title}: ${action.replace(/-/g, ' ')}` : title;
};

const SECURITY: Record<string, Json> = {
  apiToken: { type: 'http', scheme: 'bearer', description: "one of the tenant's integration API tokens" },
  registrationToken: {
    type: 'http',
    scheme: 'bearer',
    description:
      'the registration master token (register, list), or the registration access token of the client (RFC 7592)',
  },
};

/**
 * The OpenAPI 3.1 document of one data-plane API, generated from its
 * endpoint's routes (their TypeBox schemas), under the issuer it is served for:
 * each route is an operation whose operationId is the route's name.
 */
export function apiDocument(endpoint: Endpoint, routes: readonly AnyRoute[], issuer: string): Json {
  const scheme = endpoint.area === 'client-registration' ? 'registrationToken' : 'apiToken';
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]) as HttpMethod[];
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      const operation: Json = {
        operationId: methods.length > 1 ? `${route.name}.${method.toLowerCase()}` : route.name,
        tags: [endpoint.name],
        summary: summaryOf(route.name),
        ...(route.schema?.body
          ? { requestBody: { required: true, content: { 'application/json': { schema: plain(route.schema.body) } } } }
          : {}),
        responses: responses(route, true),
      };
      const list = parameters(route);
      if (list.length > 0) operation.parameters = list;
      const item = (paths[openApiPath(route.path)] ??= {});
      item[method.toLowerCase()] = operation;
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: `Tessera ${endpoint.name} API`,
      version: '1',
      description: `The ${endpoint.name} API of one Tessera tenant, at its issuer.`,
      license: { name: 'UNLICENSED', identifier: 'LicenseRef-UNLICENSED' },
    },
    servers: [{ url: issuer }],
    security: [{ [scheme]: [] }],
    tags: [{ name: endpoint.name, description: summaryOf(endpoint.name) }],
    paths,
    components: { securitySchemes: { [scheme]: SECURITY[scheme] }, ...usedErrorComponents(paths) },
  };
}
