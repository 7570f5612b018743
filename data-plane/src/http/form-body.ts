import type { FastifyInstance } from 'fastify';

/**
 * `application/x-www-form-urlencoded` bodies as objects. A parameter sent
 * twice becomes an array, so a route schema expecting a string rejects it
 * (RFC 6749 §3.1: parameters must not be repeated).
 */
export function installFormBody(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of new URLSearchParams(body as string)) {
      const existing = out[name];
      out[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    }
    done(null, out);
  });
}
