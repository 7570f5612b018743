import { grantTypesOf } from '@tessera/shared/clients/client';
import { CLIENT_AUTH_METHODS } from '../client-auth/index.ts';
import { GRANTS } from '../grants/index.ts';
import { clientRequest } from '../oauth/client-request.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import type { Endpoint } from './endpoint.ts';

/** RFC 6749 §3.2 / Connect2id: token endpoint bodies over 50,000 characters are refused. */
const BODY_LIMIT = 50_000;

const signingAlgorithms = () => [...new Set(Object.values(CLIENT_AUTH_METHODS).flatMap((m) => m.signingAlgorithms ?? []))];

/**
 * The token endpoint: authenticate the client, check the grant is enabled
 * for the tenant and registered by the client, hand over to the grant's
 * handler. Responses are never cached.
 */
export const tokenEndpoint: Endpoint = {
  name: 'token',
  register(app, deps) {
    app.post('/token', { bodyLimit: BODY_LIMIT }, async (request, reply) => {
      const { params, client } = await clientRequest(request, deps, '/token');
      const grantType = params.grant_type;
      if (!grantType) throw oauthError('invalid_request', 'Missing grant_type');
      const grant = GRANTS.get(grantType);
      const enabled = (request.tenant!.tenant.config.grants.grantTypes as readonly string[]).includes(grantType);
      if (!grant || !enabled || grant.available?.(deps) === false) {
        throw oauthError('unsupported_grant_type', `The grant type ${JSON.stringify(grantType).slice(0, 100)} is not supported`);
      }
      if (!grantTypesOf(client).includes(grantType)) throw oauthError('unauthorized_client', `The client is not registered for ${grantType}`);
      const response = await grant.handle({ tenant: request.tenant!, issuer: request.issuer!, client, params, deps });
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(response);
    });
  },
  metadata: (context, issuer, deps) => ({
    token_endpoint: `${issuer}/token`,
    token_endpoint_auth_methods_supported: Object.keys(CLIENT_AUTH_METHODS),
    token_endpoint_auth_signing_alg_values_supported: signingAlgorithms(),
    grant_types_supported: [...GRANTS.values()]
      .filter((g) => (context.tenant.config.grants.grantTypes as readonly string[]).includes(g.grantType) && g.available?.(deps) !== false)
      .map((g) => g.grantType),
  }),
};
