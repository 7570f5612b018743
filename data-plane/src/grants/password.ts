import { oauthError } from '../oauth/oauth-error.ts';
import type { GrantHandler } from './grant.ts';
import { newAuthorization } from './new-authorization.ts';
import { grantedScope, parseScope } from './scope.ts';

/**
 * RFC 6749 §4.3, checked by the tenant's password handler. The
 * authorisation is transient: its refresh token (when the client may have
 * one) is self-contained.
 */
export const passwordGrant: GrantHandler = {
  grantType: 'password',
  available: (deps) => deps.oauth.passwordAuthenticator !== undefined,
  async handle({ tenant, issuer, client, params, deps }) {
    const { username, password } = params;
    if (!username || password === undefined) throw oauthError('invalid_request', 'The password grant needs username and password');
    const handler = deps.oauth.passwordAuthenticator;
    if (!handler) throw oauthError('unsupported_grant_type', 'No password handler is configured');
    const subject = await handler.authenticate(tenant.tenant.tid, username, password);
    if (!subject) throw oauthError('invalid_grant', 'Invalid resource owner credentials');
    const scp = grantedScope(client, parseScope(params.scope));
    const authz = newAuthorization(tenant.tenant.config, { sub: subject.sub, cid: client.clientId, scp, iss: issuer });
    authz.refreshToken.issue = (client.metadata.grant_types ?? []).includes('refresh_token');
    return deps.oauth.issuer.issue(tenant, authz);
  },
};
