import type { FastifyInstance } from 'fastify';
import { parse } from 'node:querystring';

/**
 * `application/x-www-form-urlencoded` bodies as objects. A parameter sent
 * twice becomes an array, so a route schema expecting a string rejects it
 * (RFC 6749 §3.1: parameters must not be repeated).
 */
export function installFormBody(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    // node:querystring is several times faster than URLSearchParams on the token endpoint's
    // small bodies, and already turns a repeated name into an array. No prototype: "__proto__=x" is just a name.
    done(null, Object.assign(Object.create(null) as Record<string, string | string[]>, parse(body as string, '&', '=', { maxKeys: 1000 })));
  });
}
