import { textAnswer } from '../core/core-answer.ts';
import type { Endpoint } from '../core/endpoint.ts';
import { route } from '../core/route.ts';
import { type Step, step } from '../core/step.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { TENANT_SELECTING_HEADERS } from '../tenancy/resolve-request.ts';

/** Public (the common, path-chosen case caches well) but keyed on every header that can choose the tenant; open to any origin (the route's `cors`). */
const PUBLIC_DOCUMENT = {
  'cache-control': 'public, max-age=60',
  vary: TENANT_SELECTING_HEADERS,
};

/** The metadata document, memoised per tenant context and issuer: serving it is a map look-up and a write. */
const metadataDocument = (deps: DataPlaneDeps): Step =>
  step('metadataDocument', (x) => {
    const { tenant, issuer } = x.request;
    const body = tenant.memo(`metadata ${issuer}`, () => deps.providerMetadata(tenant, issuer));
    return textAnswer('application/json; charset=utf-8', body, 200, { ...PUBLIC_DOCUMENT });
  });

/**
 * OpenID Connect Discovery and RFC 8414 metadata: both documents are the
 * same set of facts, the union of what every endpoint contributes
 * (`Endpoint.metadata`, composed in server.ts).
 */
export const discoveryEndpoint: Endpoint = {
  name: 'discovery',
  area: 'discovery',
  routes: (deps) => {
    const steps = [metadataDocument(deps)];
    return [
      route({
        name: 'discovery.openid-configuration',
        method: 'GET',
        path: '/.well-known/openid-configuration',
        cors: 'open',
        steps,
      }),
      route({
        name: 'discovery.oauth-authorization-server',
        method: 'GET',
        path: '/.well-known/oauth-authorization-server',
        cors: 'open',
        steps,
      }),
    ];
  },
  metadata: () => ({
    // Members both specs require. No response type, grant or scope is
    // implemented yet; the endpoints that implement them add their values.
    response_types_supported: [],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [],
  }),
};
