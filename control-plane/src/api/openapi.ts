import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { TenantConfigSchema } from '@tessera/shared/config/tenant-config';
import { ERROR_RESPONSES, usedErrorComponents } from '@tessera/shared/http/openapi-errors';

/**
 * What makes the generated OpenAPI document usable by client generators:
 * every operation gets an operationId and a tag (derived from its route, so
 * every route has one without each file repeating it; a route may still set
 * its own), query parameters with a default are optional, the error bodies
 * are shared response components, and the tenant config is one schema
 * component referenced wherever a config travels.
 */

type Json = Record<string, unknown>;

const SEGMENT_NOISE = new Set(['rest', 'v1', 'v2']);
/** Verbs on the tenant itself, not sub-resources: tagged `tenants`. */
const TENANT_ACTIONS = new Set(['suspend', 'resume']);

/** `post /tenants/rest/v1/:tid/api-tokens` → `postTenantsByTidApiTokens`: stable and unique per method and path. */
export function operationIdFor(method: string, url: string): string {
  const words = url
    .split('/')
    .filter((s) => s !== '' && !SEGMENT_NOISE.has(s))
    .map((s) => (s.startsWith(':') || s.startsWith('{') ? `by-${s.replace(/[:{}]/g, '')}` : s))
    .flatMap((s) => s.split(/[^A-Za-z0-9]+/))
    .filter((w) => w !== '');
  return method.toLowerCase() + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

/**
 * The tag: the API a path belongs to, its first segment (`tenants`, `admin-tokens`, `monitor`, …), or for a
 * tenant's sub-resource the segment after the tenant (`api-tokens`, `domains`, …).
 */
export function tagFor(url: string): string {
  const segments = url.split('/').filter((s) => s !== '' && !SEGMENT_NOISE.has(s));
  const [first = 'root', second, third] = segments;
  if (first === 'tenants' && second !== undefined && third !== undefined && !TENANT_ACTIONS.has(third)) return third;
  return first;
}

/** A schema whose defaulted members are optional at every depth: what a caller must send (the validator fills the rest). */
function defaultsOptional(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(defaultsOptional);
  if (node === null || typeof node !== 'object') return node;
  const object = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, defaultsOptional(value)])) as Json;
  const properties = object.properties as Record<string, Json> | undefined;
  if (properties && Array.isArray(object.required)) {
    const required = (object.required as string[]).filter((name) => properties[name]?.default === undefined);
    if (required.length > 0) object.required = required;
    else delete object.required;
  }
  return object;
}

function isErrorBody(schema: unknown): boolean {
  const properties = (schema as Json | undefined)?.properties as Json | undefined;
  return properties !== undefined && 'error' in properties && 'error_description' in properties;
}

/** Every `config` property that is a free-form object: the tenant config component. */
function referenceConfigs(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) referenceConfigs(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const object = node as Json;
  const properties = object.properties as Json | undefined;
  if (properties && typeof properties.config === 'object' && (properties.config as Json).type === 'object')
    properties.config = { $ref: '#/components/schemas/TenantConfig' };
  for (const value of Object.values(object)) referenceConfigs(value);
}

function documentOperations(document: Json): void {
  const paths = (document.paths ?? {}) as Record<string, Record<string, Json>>;
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      const responses = operation.responses as Record<string, Json>;
      const secured = !Array.isArray(operation.security) || operation.security.length > 0;
      // Admin auth answers 401 on any secured route, and 403 when a tenant-scoped token names another tenant.
      if (secured) responses['401'] ??= {};
      if (secured && path.includes('{tid}')) responses['403'] ??= {};
      for (const [status, response] of Object.entries(responses)) {
        const shared = ERROR_RESPONSES[status];
        const schema = (response.content as Record<string, Json> | undefined)?.['application/json']?.schema;
        if (shared && (Object.keys(response).length === 0 || isErrorBody(schema)))
          responses[status] = { $ref: `#/components/responses/${shared.name}` };
        else if (isErrorBody(schema)) {
          (response.content as Record<string, Json>)['application/json'] = {
            schema: { $ref: '#/components/schemas/Error' },
          };
        }
      }
      // The config check's body is a tenant config.
      if (path === '/config/check' && method === 'post') {
        const body = (operation.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
        if (body?.['application/json']) body['application/json'].schema = { $ref: '#/components/schemas/TenantConfig' };
      }
    }
  }
  referenceConfigs(document.paths);
}

export const controlPlaneOpenApi: FastifyDynamicSwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'Tessera control plane',
      version: '1',
      description: 'Tenants, their configuration, tokens, domains, plans and audit: the operator API.',
      license: { name: 'UNLICENSED', identifier: 'LicenseRef-UNLICENSED' },
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        operator: {
          type: 'http',
          scheme: 'bearer',
          description:
            "the operator API key, an admin JWT from POST /admin-tokens/rest/v1, or a console member's access token (an RFC 9068 JWT from the operator tenant)",
        },
      },
    },
    security: [{ operator: [] }],
  },
  transform: ({ schema, url, route }) => {
    const method = (Array.isArray(route.method) ? route.method[0] : route.method) ?? 'get';
    const config = (route.config ?? {}) as { public?: boolean; ownCredentials?: boolean };
    const own = (schema ?? {}) as Json;
    const next: Json = {
      ...own,
      operationId: own.operationId ?? operationIdFor(method, url),
      tags: own.tags ?? [tagFor(url)],
      summary: own.summary ?? `${method.toUpperCase()} ${url}`,
      ...(own.querystring ? { querystring: defaultsOptional(own.querystring) } : {}),
      ...(config.public === true && own.security === undefined ? { security: [] } : {}),
    };
    return { schema: next, url };
  },
  transformObject: (documentObject) => {
    const document = structuredClone(
      ('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject) as Json,
    );
    documentOperations(document);
    const errors = usedErrorComponents(document.paths);
    const components = (document.components ?? {}) as Json;
    components.schemas = {
      ...(components.schemas as Json | undefined),
      ...errors.schemas,
      TenantConfig: { ...(defaultsOptional(TenantConfigSchema) as Json), title: 'TenantConfig' },
    };
    components.responses = errors.responses;
    document.components = components;
    return document;
  },
};
