import { createHash, timingSafeEqual } from 'node:crypto';
import { tokenDimension } from '@tessera/shared/billing/metrics';
import { authorizationRevokedEvent } from '../authz/authorization-revoked-event.ts';
import { boundTo, refreshTokenBinding } from '../dpop/token-binding.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import { narrowedToResources } from '../oauth/resource-indicators.ts';
import type { CodeRecord } from '../ports/authorization-code-store.ts';
import { idTokenForAuthorization } from '../tokens/id-token-issuer.ts';
import type { GrantHandler, GrantRequest } from './grant.ts';

const invalidGrant = (description: string) => oauthError('invalid_grant', description);
const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

function pkceMatches(record: CodeRecord, verifier: string | undefined): boolean {
  if (!record.codeChallenge) return verifier === undefined;
  if (verifier === undefined || !PKCE_VERIFIER.test(verifier)) return false;
  const computed =
    record.codeChallengeMethod === 'plain'
      ? verifier
      : createHash('sha256').update(verifier, 'ascii').digest('base64url');
  const a = Buffer.from(computed);
  const b = Buffer.from(record.codeChallenge);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The usage dimension its tokens are metered under. */
const TOKENS = tokenDimension('authorization_code');

/**
 * RFC 6749 §4.1.3 with RFC 7636 and OpenID Connect Core §3.1.3: the code
 * redeems once, for the client it was issued to, with the same redirect
 * URI, the PKCE verifier, its DPoP key (`dpop_jkt`) and under the issuer it was issued under. A
 * replayed code revokes everything it issued (RFC 6749 §4.1.2, OAuth 2.1).
 */
export const authorizationCodeGrant: GrantHandler = {
  grantType: 'authorization_code',
  async handle(req: GrantRequest) {
    const { tenant, issuer, client, params, deps } = req;
    const { tid } = tenant.tenant;
    const code = params.code;
    if (!code) throw oauthError('invalid_request', 'Missing code');
    const record = await deps.oauth.codes.get(tid, tenant.secrets['identifier-hmac'], code);
    if (!record) throw invalidGrant('Invalid or expired authorization code');
    if (record.authz.cid !== client.clientId) throw invalidGrant('The code was issued to another client');
    // RFC 8707 §2.2: the token may be for some of the resources the code was granted for.
    const authz = await narrowedToResources(deps.oauth.resourceServers, tenant, client, params, record.authz);
    // RFC 9449 §10: a code bound with dpop_jkt (or a DPoP proof at PAR) redeems only with a proof of that key.
    if (record.dpopJkt !== undefined && record.dpopJkt !== req.dpopJkt)
      throw invalidGrant('The code is bound to a DPoP key (dpop_jkt): the token request must prove that key');
    if (!(await deps.oauth.codes.markUsed(tid, code))) {
      await deps.oauth.authorizations.delete(tid, { sub: authz.sub, cid: authz.cid });
      await deps.oauth.journal.revoke(tid, { sub: authz.sub, cid: authz.cid });
      await deps.events.emit(
        authorizationRevokedEvent(tid, `client:${authz.cid}`, { sub: authz.sub, cid: authz.cid }, 'code_replay'),
      );
      throw invalidGrant('The code was already used; the tokens it issued are revoked');
    }
    if (authz.iss !== issuer) throw invalidGrant('The code was issued under another issuer');
    if (record.redirectUriGiven || params.redirect_uri !== undefined) {
      if (params.redirect_uri !== record.redirectUri)
        throw invalidGrant('The redirect_uri does not match the authorisation request');
    }
    if (!pkceMatches(record, params.code_verifier))
      throw invalidGrant(record.codeChallenge ? 'PKCE verification failed' : 'code_verifier without a code_challenge');

    const response = await deps.oauth.issuer.issue(tenant, boundTo(authz, req.dpopJkt), {
      refreshJkt: refreshTokenBinding(client, req.dpopJkt),
    });
    if (authz.scp.includes('openid')) {
      response.id_token = await idTokenForAuthorization(tenant, deps, {
        issuer,
        client,
        authz,
        authentication: { authTime: record.authTime, acr: record.acr, amr: record.amr, claims: record.sessionClaims },
        nonce: record.nonce,
        accessToken: response.access_token,
      });
    }
    if (!response.scope) response.scope = authz.scp.join(' ');
    req.usage?.meter(TOKENS, authz.sub);
    return response;
  },
};
