import { textAnswer } from '../core/core-answer.ts';
import type { Endpoint } from '../core/endpoint.ts';
import { route } from '../core/route.ts';
import { step } from '../core/step.ts';
import { TENANT_SELECTING_HEADERS } from '../tenancy/resolve-request.ts';

const PUBLIC_MEMBERS = ['kty', 'kid', 'use', 'alg', 'crv', 'n', 'e', 'x', 'y'] as const;
/** Public (the common, path-chosen case caches well) but keyed on every header that can choose the tenant; open to any origin (the route's `cors`). */
const PUBLIC_DOCUMENT = {
  'cache-control': 'public, max-age=60',
  vary: TENANT_SELECTING_HEADERS,
};

/** The JWK set, memoised per tenant context; only public members are copied, so a stored JWK can never leak more. */
const keySet = step('keySet', (x) => {
  const context = x.request.tenant;
  const body = context.memo('jwks', () => ({
    keys: context.keys.map((k) =>
      Object.fromEntries(PUBLIC_MEMBERS.filter((m) => k.jwk[m] !== undefined).map((m) => [m, k.jwk[m]])),
    ),
  }));
  return textAnswer('application/jwk-set+json; charset=utf-8', body, 200, { ...PUBLIC_DOCUMENT });
});

/** `/jwks.json`: the tenant's published public keys (pending, active, retired). */
export const jwksEndpoint: Endpoint = {
  name: 'jwks',
  area: 'discovery',
  routes: () => [route({ name: 'jwks', method: 'GET', path: '/jwks.json', cors: 'open', steps: [keySet] })],
  metadata: (_context, issuer) => ({ jwks_uri: `${issuer}/jwks.json` }),
};
