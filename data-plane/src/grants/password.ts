import { tokenDimension } from '@tessera/shared/billing/metrics';
import { boundTo } from '../dpop/token-binding.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import { apiScopes, resourcesOfRequest } from '../oauth/resource-indicators.ts';
import { verifyPassword } from '../plugins/password-checks.ts';
import type { GrantHandler } from './grant.ts';
import { grantAuthorization } from './new-authorization.ts';
import { grantedScope, parseScope } from './scope.ts';

/** The usage dimension its tokens are metered under. */
const TOKENS = tokenDimension('password');

/**
 * RFC 6749 §4.3, checked by the tenant's password handler
 * (plugins/password-checks.ts: the passwordGrant slot, the user directory by
 * default). The authorisation is transient: its refresh token (when the
 * client may have one) is self-contained. Each attempt passes the guessing brake first
 * (brakes/password-brake.ts, shared with the hosted sign-in page), counted by
 * username and by client and address.
 */
export const passwordGrant: GrantHandler = {
  grantType: 'password',
  available: (deps) => deps.oauth.passwordAuthenticator !== undefined,
  async handle({ tenant, issuer, client, params, deps, ip, usage, dpopJkt }) {
    const { username, password } = params;
    if (!username || password === undefined)
      throw oauthError('invalid_request', 'The password grant needs username and password');
    if (!deps.oauth.passwordAuthenticator)
      throw oauthError('unsupported_grant_type', 'No password handler is configured');
    // Registration refuses the grant to public clients; this also stops those registered before it did.
    if (client.metadata.token_endpoint_auth_method === 'none')
      throw oauthError('unauthorized_client', 'A public client cannot use the password grant');
    const { tid } = tenant.tenant;
    const reservation = await deps.oauth.guessingBrake.reserve({ tid, username, ip, clientId: client.clientId });
    if (!reservation.allowed) throw tooManyAttempts(reservation.retryAfter);
    const subject = await verifyPassword(deps, tenant, { at: 'grant', username, password, clientId: client.clientId });
    if (!subject) throw oauthError('invalid_grant', 'Invalid resource owner credentials');
    await reservation.succeeded();
    const resources = await resourcesOfRequest(deps.oauth.resourceServers, tenant, client, params);
    const scp = grantedScope(tenant.tenant.config, client, parseScope(params.scope), apiScopes(resources));
    const config = tenant.tenant.config;
    const authz = grantAuthorization(config, { sub: subject.sub, cid: client.clientId, scp, iss: issuer }, resources);
    authz.refreshToken.issue = (client.metadata.grant_types ?? []).includes('refresh_token');
    // Public clients cannot use this grant: the refresh token is never bound (RFC 9449 §5).
    const response = await deps.oauth.issuer.issue(tenant, boundTo(authz, dpopJkt));
    usage?.meter('sign_ins', subject.sub);
    usage?.meter(TOKENS, subject.sub);
    return response;
  },
};

/**
 * Over a guessing limit: RFC 6749 §5.2 has no code for "slow down", and the
 * grant is what is refused, so invalid_grant (400) as for a wrong password,
 * saying why; Retry-After tells a client that reads it when to try again.
 * Not 429: OAuth clients read the error object of a 400 and may not of a 429.
 */
function tooManyAttempts(retryAfter: number) {
  const error = oauthError('invalid_grant', `Too many failed password attempts; try again in ${retryAfter} s`);
  error.headers['retry-after'] = String(retryAfter);
  return error;
}
