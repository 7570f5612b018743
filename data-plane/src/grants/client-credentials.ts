import { tokenDimension } from '@tessera/shared/billing/metrics';
import { boundTo } from '../dpop/token-binding.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import { apiScopes, resourcesOfRequest } from '../oauth/resource-indicators.ts';
import { clientCredentialsHook } from '../plugins/client-credentials-hook.ts';
import { slotConfigOf } from '../plugins/slot-config.ts';
import type { GrantHandler } from './grant.ts';
import { grantAuthorization } from './new-authorization.ts';
import { grantedScope, parseScope } from './scope.ts';

/** The usage dimension its tokens are metered under. */
const TOKENS = tokenDimension('client_credentials');

/**
 * RFC 6749 §4.4: the client acts on its own behalf; the subject is the
 * client. Public clients may not use it; no refresh token is issued (§4.4.3).
 * The tenant's handler (the clientCredentialsGrant slot), when configured,
 * may narrow or refuse the scope and add access token claims.
 */
export const clientCredentialsGrant: GrantHandler = {
  grantType: 'client_credentials',
  async handle({ tenant, issuer, client, params, deps, usage, dpopJkt }) {
    if ((client.metadata.token_endpoint_auth_method ?? 'client_secret_basic') === 'none') {
      throw oauthError('unauthorized_client', 'Public clients cannot use the client_credentials grant');
    }
    const resources = await resourcesOfRequest(deps.oauth.resourceServers, tenant, client, params);
    let scp = grantedScope(tenant.tenant.config, client, parseScope(params.scope), apiScopes(resources));
    let atc: Record<string, unknown> | undefined;
    const handler = slotConfigOf(tenant, 'clientCredentialsGrant');
    if (handler)
      ({ scp, claims: atc } = await clientCredentialsHook(
        deps.webhooks,
        tenant.tenant.tid,
        handler,
        client.clientId,
        scp,
      ));
    const authz = grantAuthorization(
      tenant.tenant.config,
      { sub: client.clientId, cid: client.clientId, scp, iss: issuer, atc },
      resources,
    );
    const response = await deps.oauth.issuer.issue(tenant, boundTo(authz, dpopJkt));
    // Machine clients are not active subjects (monthly active subjects bill people); their tokens are billed as tokens.
    usage?.meter(TOKENS);
    return response;
  },
};
