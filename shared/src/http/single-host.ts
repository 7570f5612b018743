import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors.ts';

/**
 * RFC 9112 §3.2: a request with more than one Host field line is answered
 * 400. node:http keeps the first and drops the others from `headers`, so
 * they are counted in `rawHeaders` (name, value, name, value, …).
 */
export function hasRepeatedHost(rawHeaders: readonly string[]): boolean {
  let seen = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') {
      if (seen) return true;
      seen = true;
    }
  }
  return false;
}

/** Refuse requests with two Host headers before anything reads the Host (install before other onRequest hooks). */
export function installSingleHostRule(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (hasRepeatedHost(request.raw.rawHeaders))
      return done(new HttpError(400, 'invalid_request', 'Bad request: more than one Host header'));
    done();
  });
}
