import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { installJsonBody } from './json-body.ts';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const common: Options = { allErrors: true, useDefaults: true, removeAdditional: false, strict: false };

/**
 * Route schema validation with two rules: JSON bodies are validated exactly as
 * sent (a number is never accepted where a string is required, unknown members
 * are errors, every problem is reported); query strings, params and headers,
 * which are text on the wire, are coerced to the declared types. JSON
 * bodies nest at most MAX_JSON_DEPTH levels (http/json-body.ts).
 */
export function installValidation(app: FastifyInstance): void {
  const body = addFormats(new Ajv({ ...common, coerceTypes: false }));
  const text = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema));
  // Validation recurses through a body: JSON nested without bound would overflow the stack.
  installJsonBody(app);
}
