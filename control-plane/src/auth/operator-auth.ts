import type { FastifyInstance } from 'fastify';
import { bearerToken, matchesAnyHash } from '@tessera/shared/http/api-token';
import { HttpError } from '@tessera/shared/http/errors';
import '@tessera/shared/http/route-config';


/**
 * Bearer auth for the whole control plane (contract §5): the operator API key,
 * checked by SHA-256 against the configured hashes in constant time. With no
 * hash configured every call is refused: a missing setting never opens the API.
 */
export function installOperatorAuth(app: FastifyInstance, operatorKeySha256: readonly string[]): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.routeOptions.config?.public === true) return done();
    const token = bearerToken(request.headers.authorization);
    if (!token) {
      return done(new HttpError(401, 'missing_token', 'Bearer authentication is required', { headers: { 'www-authenticate': 'Bearer' } }));
    }
    if (!matchesAnyHash(token, operatorKeySha256)) {
      return done(new HttpError(401, 'invalid_token', 'The bearer token is not valid', { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }));
    }
    done();
  });
}
