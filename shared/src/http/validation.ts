import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { installJsonBody } from './json-body.ts';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const common: Options = { allErrors: true, useDefaults: true, removeAdditional: false, strict: false };

/**
 * Route schema validation with three rules: JSON bodies are validated exactly
 * as sent (a number is never accepted where a string is required, unknown
 * members are errors, every problem is reported); query strings, params and
 * headers, which are text on the wire, are coerced to the declared types; and
 * an absent body means no parameters (absentBodyIsEmpty). JSON bodies nest at
 * most MAX_JSON_DEPTH levels (http/json-body.ts).
 */
export function installValidation(app: FastifyInstance): void {
  const body = addFormats(new Ajv({ ...common, coerceTypes: false }));
  const text = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema));
  app.addHook('onRoute', absentBodyIsEmpty);
  // Validation recurses through a body: JSON nested without bound would overflow the stack.
  installJsonBody(app);
}

/**
 * A POST without a body (`curl -X POST …/op/rotate`, or an empty
 * `application/json` one, which json-body.ts parses as absent) is validated
 * as `{}` on routes whose body schema is an object: its defaults apply and
 * its required members are named, instead of "body must be object". A body
 * that is present but not an object (JSON `null`, an array, text) is still a
 * 400. Added per route at registration, so routes without a body schema (the
 * token endpoint among them) run no extra hook.
 */
export function absentBodyIsEmpty(route: RouteOptions): void {
  const schema = route.schema?.body as { type?: unknown } | undefined;
  if (schema?.type !== 'object') return;
  const own = route.preValidation;
  route.preValidation = [
    emptyWhenAbsent,
    ...(own === undefined ? [] : Array.isArray(own) ? own : [own]),
  ] as RouteOptions['preValidation'];
}

async function emptyWhenAbsent(request: FastifyRequest): Promise<void> {
  if (request.body === undefined) request.body = {};
}
