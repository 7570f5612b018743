import { grantTypesOf } from '@tessera/shared/clients/client';
import { CLIENT_AUTH_METHODS } from '../client-auth/index.ts';
import { GRANTS } from '../grants/index.ts';
import { clientRequest } from '../oauth/client-request.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import type { OAuthRequest } from '../oauth/oauth-request.ts';
import type { TokenResponse } from '../tokens/token-response.ts';
import type { DataPlaneDeps, Endpoint } from './endpoint.ts';

/** RFC 6749 §3.2 / Connect2id: token endpoint bodies over 50,000 characters are refused. */
const BODY_LIMIT = 50_000;
/** RFC 6749 §5.1: token responses, and their errors, are never cached. */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

const signingAlgorithms = () => [...new Set(Object.values(CLIENT_AUTH_METHODS).flatMap((m) => m.signingAlgorithms ?? []))];

/**
 * One token request: authenticate the client,
 * check the grant is enabled for the tenant and registered by the client,
 * hand over to the grant's handler.
 */
async function serveTokenRequest(request: OAuthRequest, deps: DataPlaneDeps): Promise<TokenResponse> {
  const { params, client } = await clientRequest(request, deps, '/token');
  const grantType = params.grant_type;
  if (!grantType) throw oauthError('invalid_request', 'Missing grant_type');
  const grant = GRANTS.get(grantType);
  const enabled = (request.tenant!.tenant.config.grants.grantTypes as readonly string[]).includes(grantType);
  if (!grant || !enabled || grant.available?.(deps) === false) {
    throw oauthError('unsupported_grant_type', `The grant type ${JSON.stringify(grantType).slice(0, 100)} is not supported`);
  }
  if (!grantTypesOf(client).includes(grantType)) throw oauthError('unauthorized_client', `The client is not registered for ${grantType}`);
  return grant.handle({ tenant: request.tenant!, issuer: request.issuer!, client, params, deps, ip: request.ip ?? '' });
}

/** The token endpoint (RFC 6749 §3.2): every grant, behind client authentication. */
export const tokenEndpoint: Endpoint = {
  name: 'token',
  register(app, deps) {
    app.post('/token', { bodyLimit: BODY_LIMIT }, async (request, reply) => {
      const response = await serveTokenRequest(request, deps);
      return reply.headers(NO_STORE).send(response);
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
