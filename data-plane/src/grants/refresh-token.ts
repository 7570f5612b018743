import type { Authorization } from '@tessera/shared/authz/authorization';
import { oauthError } from '../oauth/oauth-error.ts';
import { epochSeconds } from '../ports/clock.ts';
import { isolatesGrants, sharesGrants } from '../tenancy/alias-mode.ts';
import type { GrantHandler, GrantRequest } from './grant.ts';
import { refreshedIdToken } from './refreshed-id-token.ts';
import { parseScope } from './scope.ts';
import type { TokenResponse } from '../tokens/token-response.ts';

const invalidGrant = (description: string) => oauthError('invalid_grant', description);

/** RFC 6749 §6: a narrower scope may be asked for, never a wider one. */
function narrowed(authz: Authorization, raw: string | undefined): string[] {
  const requested = parseScope(raw);
  if (!requested) return authz.scp;
  const outside = requested.filter((v) => !authz.scp.includes(v));
  if (outside.length > 0) throw oauthError('invalid_scope', `Not granted originally: ${outside.join(' ')}`);
  return requested;
}

/**
 * Refresh of a persisted authorisation (identifier refresh token). With
 * rotation, a used token stays valid for the grace period; used again after
 * it, the whole authorisation is revoked — its refresh tokens by deletion,
 * its access tokens through the revocation journal.
 */
async function refreshPersisted(req: GrantRequest, token: string): Promise<TokenResponse> {
  const { tenant, issuer, client, params, deps } = req;
  const { tid, config } = tenant.tenant;
  const { oauth } = deps;
  // PERSISTED_GRANT_ISOLATION: identifier refresh tokens (persisted consent) are blocked under that alias.
  if (isolatesGrants(tenant.tenant, issuer)) throw invalidGrant('Identifier refresh tokens are not accepted under this issuer');
  const row = await oauth.refreshTokens.find(tid, tenant.secrets['identifier-hmac'], token);
  if (!row) throw invalidGrant('Invalid refresh token');
  const stored = await oauth.authorizations.get(tid, row.authorizationId);
  if (!stored) throw invalidGrant('The authorisation was revoked');
  const authz = stored.authz;
  if (authz.cid !== client.clientId) throw invalidGrant('The refresh token was issued to another client');
  const now = epochSeconds(oauth.clock);
  const nowDate = new Date(now * 1000);
  if (row.expiresAt && row.expiresAt <= nowDate) throw invalidGrant('The refresh token expired');
  const idleSince = row.lastUsedAt ?? row.issuedAt;
  if (authz.refreshToken.maxIdle > 0 && idleSince.getTime() / 1000 + authz.refreshToken.maxIdle < now) {
    throw invalidGrant('The refresh token was idle too long');
  }
  const grace = config.tokens.refreshTokenReuseGracePeriod;
  const reused = async () => {
    await oauth.authorizations.delete(tid, { id: stored.id });
    await oauth.journal.revoke(tid, { sub: authz.sub, cid: authz.cid });
    return invalidGrant('The refresh token was already used; the authorisation is revoked');
  };
  if (row.rotatedAt && now - row.rotatedAt.getTime() / 1000 > grace) throw await reused();

  const refreshExp = row.expiresAt ? Math.floor(row.expiresAt.getTime() / 1000) : 0;
  let refreshToken: string | undefined;
  if (authz.refreshToken.rotate) {
    const first = row.rotatedAt ? true : await oauth.refreshTokens.markRotated(row.tokenHash, nowDate);
    if (!first) {
      // Another request rotated it a moment ago: that is a reuse, judged by the grace period.
      const again = await oauth.refreshTokens.find(tid, tenant.secrets['identifier-hmac'], token);
      if (again?.rotatedAt && now - again.rotatedAt.getTime() / 1000 > grace) throw await reused();
    }
    refreshToken = await oauth.refreshTokens.issue(tid, tenant.secrets['identifier-hmac'], stored.id, row.expiresAt);
  } else {
    await oauth.refreshTokens.markUsed(row.tokenHash, nowDate);
  }
  // Tokens are minted for the issuer of this request (an alias in MIGRATION mode).
  const current: Authorization = { ...authz, scp: narrowed(authz, params.scope), iss: issuer };
  const response = await oauth.issuer.accessToken(tenant, current, oauth.issuer.refreshLimit(authz, refreshExp, now));
  return withIdToken(req, current, oauth.issuer.withRefresh(response, refreshToken, refreshExp, now));
}

/** OpenID Connect Core §12.2: a new ID token beside the refreshed tokens (refreshed-id-token.ts). */
async function withIdToken(req: GrantRequest, authz: Authorization, response: TokenResponse): Promise<TokenResponse> {
  const idToken = await refreshedIdToken(req, authz, response.access_token);
  return idToken ? { ...response, id_token: idToken } : response;
}

/** Refresh of a transient authorisation (self-contained JWE refresh token). */
async function refreshTransient(req: GrantRequest, token: string): Promise<TokenResponse> {
  const { tenant, issuer, client, params, deps } = req;
  const { tid, config } = tenant.tenant;
  const { oauth } = deps;
  const payload = await oauth.issuer.decodeTransientRefreshToken(tenant, token);
  if (!payload) throw invalidGrant('Invalid refresh token');
  const { authz } = payload;
  if (authz.cid !== client.clientId) throw invalidGrant('The refresh token was issued to another client');
  if (!sharesGrants(tenant.tenant, authz.iss, issuer)) throw invalidGrant('The refresh token was issued under another issuer');
  const now = epochSeconds(oauth.clock);
  if (payload.exp && payload.exp <= now) throw invalidGrant('The refresh token expired');
  if (await oauth.journal.isRevokedDurably(tid, authz.sub, authz.cid, payload.iat)) throw invalidGrant('The authorisation was revoked');
  let refreshToken: string | undefined;
  if (authz.refreshToken.rotate) {
    // A used JWE refresh token is remembered (replay cache) until it would expire anyway.
    const use = await oauth.replay.use(tid, 'refresh-token', payload.jti, payload.exp || now + 86_400 * 400);
    if (!use.first) {
      if (now - use.usedAt > config.tokens.refreshTokenReuseGracePeriod) {
        await oauth.journal.revoke(tid, { sub: authz.sub, cid: authz.cid });
        throw invalidGrant('The refresh token was already used; the authorisation is revoked');
      }
    }
    refreshToken = await oauth.issuer.encodeTransientRefreshToken(tenant, { ...payload, iat: now, jti: crypto.randomUUID() });
  }
  const current: Authorization = { ...authz, scp: narrowed(authz, params.scope), iss: issuer };
  const response = await oauth.issuer.accessToken(tenant, current, oauth.issuer.refreshLimit(authz, payload.exp, now));
  return withIdToken(req, current, oauth.issuer.withRefresh(response, refreshToken, payload.exp, now));
}

export const refreshTokenGrant: GrantHandler = {
  grantType: 'refresh_token',
  async handle(req) {
    const token = req.params.refresh_token;
    if (!token) throw oauthError('invalid_request', 'Missing refresh_token');
    return token.split('.').length === 5 ? refreshTransient(req, token) : refreshPersisted(req, token);
  },
};
