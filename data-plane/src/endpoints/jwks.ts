import { TENANT_SELECTING_HEADERS } from '../tenancy/resolve-request.ts';
import type { Endpoint } from './endpoint.ts';

const PUBLIC_MEMBERS = ['kty', 'kid', 'use', 'alg', 'crv', 'n', 'e', 'x', 'y'] as const;

/** `/jwks.json`: the tenant's published public keys (pending, active, retired). */
export const jwksEndpoint: Endpoint = {
  name: 'jwks',
  register(app) {
    app.get('/jwks.json', async (request, reply) => {
      const context = request.tenant!;
      const body = context.memo('jwks', () => ({
        // Copy only public members: a stored JWK can never leak more than these.
        keys: context.keys.map((k) =>
          Object.fromEntries(PUBLIC_MEMBERS.filter((m) => k.jwk[m] !== undefined).map((m) => [m, k.jwk[m]])),
        ),
      }));
      return reply
        .type('application/jwk-set+json; charset=utf-8')
        .header('cache-control', 'public, max-age=60')
        // Public (the common, path-chosen case caches well) but keyed on every header that can choose the tenant.
        .header('vary', TENANT_SELECTING_HEADERS)
        .header('access-control-allow-origin', '*')
        .send(body);
    });
  },
  metadata: (_context, issuer) => ({ jwks_uri: `${issuer}/jwks.json` }),
};
