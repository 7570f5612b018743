import type { Authorization } from '@tessera/shared/authz/authorization';
import { idTokenForAuthorization } from '../tokens/id-token-issuer.ts';
import type { GrantRequest } from './grant.ts';

/**
 * OpenID Connect Core §12.2: the refresh of an authorisation that includes
 * `openid` returns a new ID token — the same iss, sub (pairwise where the
 * client is), aud and azp; iat now; auth_time, acr and amr those of the
 * original authentication, read from the subject session while it lasts;
 * no nonce; at_hash of the new access token. Once the session has ended its
 * sid, auth_time, acr and amr are not repeated, and a client that registered
 * `require_auth_time` gets no ID token at all (the response "might not
 * contain an id_token").
 */
export async function refreshedIdToken(
  req: GrantRequest,
  authz: Authorization,
  accessToken: string,
): Promise<string | undefined> {
  if (!authz.scp.includes('openid')) return undefined;
  const { tenant, issuer, client, deps } = req;
  const { tid } = tenant.tenant;
  const found = authz.sid ? await deps.oauth.sessions.getByHash(tid, authz.sid) : null;
  const session = found?.sub === authz.sub ? found : null;
  if (!session && client.metadata.require_auth_time === true) return undefined;
  return idTokenForAuthorization(tenant, deps, {
    issuer,
    client,
    authz,
    authentication: session
      ? { authTime: session.authTime, acr: session.acr, amr: session.amr, claims: session.claims }
      : undefined,
    accessToken,
  });
}
