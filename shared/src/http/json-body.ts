import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors.ts';

/** Deeper than any document of ours (tenant configs, client metadata, authorisations nest a handful of levels). */
export const MAX_JSON_DEPTH = 64;

/** The deepest nesting of arrays and objects in JSON text (strings skipped); stops counting past `limit`. */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return deepest;
}

/**
 * JSON bodies as fastify parses them by default (secure-json-parse, refusing
 * `__proto__` and `constructor.prototype`), but no deeper than
 * MAX_JSON_DEPTH: schema validation and every walk over a body recurse, and
 * a body nested a hundred thousand levels would overflow the stack (a 500).
 * An empty body is an absent one (no parameters; validation.ts), not an error.
 */
export function installJsonBody(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if ((body as string).length === 0) return done(null, undefined);
    if (jsonDepth(body as string) > MAX_JSON_DEPTH) {
      return done(
        new HttpError(
          400,
          'invalid_request',
          `Bad request: the JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`,
        ),
        undefined,
      );
    }
    return parse(request, body as string, done);
  });
}
