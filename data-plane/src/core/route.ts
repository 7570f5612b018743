import type { Static, TSchema } from '@sinclair/typebox';
import type { AnyRequest, CoreRequest, TenantRequest } from './core-request.ts';
import { type ErrorStyle, jsonErrors } from './error-style.ts';
import type { CorsAccess, RouteFacts } from './exchange.ts';
import type { Step } from './step.ts';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** Request and response schemas (TypeBox) the transport validates and serialises with. */
export interface RouteSchema {
  body?: TSchema;
  querystring?: TSchema;
  params?: TSchema;
  headers?: TSchema;
  /** By status. The transport serialises with it and drops undeclared members unless the schema allows more (`additionalProperties: true`). */
  response?: Record<number, TSchema>;
}

/** Error statuses a route declares beyond those every tenant route may answer (400, 401, 403, 404). */
export type ExtraErrorStatus = 409 | 429;

type StaticOr<T, Fallback> = T extends TSchema ? Static<T> : Fallback;

/** The request type a schema promises to a tenant route's steps. */
export type RequestOf<Sc extends RouteSchema> = TenantRequest<
  StaticOr<Sc['body'], unknown>,
  StaticOr<Sc['querystring'], unknown>,
  StaticOr<Sc['params'], Record<string, string>>
>;

/**
 * One route of an endpoint: method and issuer-relative path, the schemas
 * the transport checks, how errors look, and the declared list of named
 * steps that answer it. The pipeline runs its cross-cutting policies around
 * those steps (core/pipeline.ts).
 */
export interface Route<S = object, R extends AnyRequest = TenantRequest> extends RouteFacts {
  readonly method: HttpMethod | readonly HttpMethod[];
  readonly errors: ErrorStyle;
  /** Bytes; the transport's default (256 KiB) when absent. */
  readonly bodyLimit?: number;
  readonly schema?: RouteSchema;
  /** What else it can refuse with (409: the resource exists or conflicts), for its API document (openapi/api-document.ts). */
  readonly errorStatuses?: readonly ExtraErrorStatus[];
  /** Steps that need only the headers (API tokens): run before the body is read, so a caller without credentials learns nothing of the body rules. */
  readonly admission?: readonly Step<S, R>[];
  readonly steps: readonly Step<S, R>[];
}

// biome-ignore lint/suspicious/noExplicitAny: a table of routes holds routes of every state and request type.
export type AnyRoute = Route<any, any>;

/** A tenant route (the usual kind); `errors` defaults to JSON. */
export function route<S = object, Sc extends RouteSchema = RouteSchema>(definition: {
  name: string;
  method: HttpMethod | readonly HttpMethod[];
  path: string;
  errors?: ErrorStyle;
  bodyLimit?: number;
  cors?: CorsAccess;
  schema?: Sc;
  errorStatuses?: readonly ExtraErrorStatus[];
  admission?: readonly Step<S, RequestOf<Sc>>[];
  steps: readonly Step<S, RequestOf<Sc>>[];
}): Route<S, RequestOf<Sc>> {
  return { ...definition, tenant: true, errors: definition.errors ?? jsonErrors };
}

/** A node-wide route, served whatever the tenant (monitoring). */
export function nodeRoute<S = object>(definition: {
  name: string;
  method: HttpMethod | readonly HttpMethod[];
  path: string;
  steps: readonly Step<S, CoreRequest>[];
}): Route<S, CoreRequest> {
  return { ...definition, tenant: false, errors: jsonErrors };
}
