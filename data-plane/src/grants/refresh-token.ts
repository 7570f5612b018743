import type { Authorization } from '@tessera/shared/authz/authorization';
import { tokenDimension } from '@tessera/shared/billing/metrics';
import { authorizationRevokedEvent } from '../authz/authorization-revoked-event.ts';
import { boundTo } from '../dpop/token-binding.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import { narrowedToResources } from '../oauth/resource-indicators.ts';
import { epochSeconds } from '../ports/clock.ts';
import { isolatesGrants, sharesGrants } from '../tenancy/alias-mode.ts';
import type { TokenResponse } from '../tokens/token-response.ts';
import type { GrantHandler, GrantRequest } from './grant.ts';
import { rotatingForPublicClients } from './public-client-rotation.ts';
import {
  persistedFacts,
  REFRESH_REFUSALS,
  type RefreshRefusal,
  refreshTokenRefusal,
  usedBeyondGrace,
} from './refresh-token-validity.ts';
import { refreshedIdToken } from './refreshed-id-token.ts';
import { parseScope } from './scope.ts';

const TOKENS = tokenDimension('refresh_token');
const invalidGrant = (description: string) => oauthError('invalid_grant', description);
const refused = (refusal: RefreshRefusal | undefined) => invalidGrant(REFRESH_REFUSALS[refusal ?? 'unknown']);

const reuseRevoked = (tid: string, authz: Authorization) =>
  authorizationRevokedEvent(tid, `client:${authz.cid}`, { sub: authz.sub, cid: authz.cid }, 'refresh_token_reuse');

/** A persisted token replayed after its grace period: the whole authorisation goes (its tokens by deletion and the journal). */
async function revokeReused(req: GrantRequest, authorizationId: string, authz: Authorization) {
  const { tid } = req.tenant.tenant;
  await req.deps.oauth.authorizations.delete(tid, { id: authorizationId });
  await req.deps.oauth.journal.revoke(tid, { sub: authz.sub, cid: authz.cid });
  await req.deps.events.emit(reuseRevoked(tid, authz));
  return refused('reused');
}

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
  if (isolatesGrants(tenant.tenant, issuer))
    throw invalidGrant('Identifier refresh tokens are not accepted under this issuer');
  const row = await oauth.refreshTokens.find(tid, tenant.secrets['identifier-hmac'], token);
  const stored = row ? await oauth.authorizations.get(tid, row.authorizationId) : null;
  const now = epochSeconds(oauth.clock);
  const nowDate = new Date(now * 1000);
  const grace = config.tokens.refreshTokenReuseGracePeriod;
  const refusal = refreshTokenRefusal({
    ...persistedFacts(row, stored?.authz, { now, grace }),
    clientId: client.clientId,
  });
  if (refusal === 'reused') throw await revokeReused(req, stored!.id, stored!.authz);
  if (refusal || !row || !stored) throw refused(refusal);
  // RFC 8707 §2.2: this access token may be for some of the grant's resources (the grant keeps them all).
  const authz = rotatingForPublicClients(
    client,
    await narrowedToResources(oauth.resourceServers, tenant, client, params, stored.authz),
  );

  const refreshExp = row.expiresAt ? Math.floor(row.expiresAt.getTime() / 1000) : 0;
  let refreshToken: string | undefined;
  if (authz.refreshToken.rotate) {
    const first = row.rotatedAt ? true : await oauth.refreshTokens.markRotated(row.tokenHash, nowDate);
    if (!first) {
      // Another request rotated it a moment ago: that is a reuse, judged by the grace period.
      const again = await oauth.refreshTokens.find(tid, tenant.secrets['identifier-hmac'], token);
      if (again?.rotatedAt && usedBeyondGrace(again.rotatedAt.getTime() / 1000, now, grace))
        throw await revokeReused(req, stored.id, authz);
    }
    refreshToken = await oauth.refreshTokens.issue(tid, tenant.secrets['identifier-hmac'], stored.id, row.expiresAt);
  } else {
    await oauth.refreshTokens.markUsed(row.tokenHash, nowDate);
  }
  // Tokens are minted for the issuer of this request (an alias in MIGRATION mode).
  // Identifier refresh tokens are never DPoP-bound (those of public clients are self-contained when bound).
  const current = boundTo({ ...authz, scp: narrowed(authz, params.scope), iss: issuer }, req.dpopJkt);
  const response = await oauth.issuer.accessToken(tenant, current, oauth.issuer.refreshLimit(authz, refreshExp, now));
  return withIdToken(req, current, oauth.issuer.withRefresh(response, refreshToken, refreshExp, now));
}

/** OpenID Connect Core §12.2: a new ID token beside the refreshed tokens (refreshed-id-token.ts); the refresh is metered. */
async function withIdToken(req: GrantRequest, authz: Authorization, response: TokenResponse): Promise<TokenResponse> {
  const idToken = await refreshedIdToken(req, authz, response.access_token);
  // Both refresh paths end here, with the tokens issued.
  req.usage?.meter(TOKENS, authz.sub);
  return idToken ? { ...response, id_token: idToken } : response;
}

/** Refresh of a transient authorisation (self-contained JWE refresh token). */
async function refreshTransient(req: GrantRequest, token: string): Promise<TokenResponse> {
  const { tenant, issuer, client, params, deps } = req;
  const { tid, config } = tenant.tenant;
  const { oauth } = deps;
  const payload = await oauth.issuer.decodeTransientRefreshToken(tenant, token);
  if (!payload) throw refused('unknown');
  const authz = rotatingForPublicClients(
    client,
    await narrowedToResources(oauth.resourceServers, tenant, client, params, payload.authz),
  );
  const now = epochSeconds(oauth.clock);
  const refusal = refreshTokenRefusal({
    now,
    grace: config.tokens.refreshTokenReuseGracePeriod,
    known: true,
    authz,
    expiresAt: payload.exp,
    revokedSince: await oauth.journal.isRevokedDurably(tid, authz.sub, authz.cid, payload.iat),
    clientId: client.clientId,
    issuerShares: sharesGrants(tenant.tenant, authz.iss, issuer),
  });
  if (refusal) throw refused(refusal);
  // RFC 9449 §5: a bound refresh token (a public client's) is used only with a proof of its key.
  if (payload.jkt !== undefined && payload.jkt !== req.dpopJkt)
    throw invalidGrant('The refresh token is bound to a DPoP key: the request must prove that key');
  let refreshToken: string | undefined;
  if (authz.refreshToken.rotate) {
    // A used JWE refresh token is remembered (replay cache) until it would expire anyway.
    const use = await oauth.replay.use(tid, 'refresh-token', payload.jti, payload.exp || now + 86_400 * 400);
    // Used before: a replay once the grace period is over (refresh-token-validity.ts).
    if (!use.first && usedBeyondGrace(use.usedAt, now, config.tokens.refreshTokenReuseGracePeriod)) {
      await oauth.journal.revoke(tid, { sub: authz.sub, cid: authz.cid });
      await req.deps.events.emit(reuseRevoked(tid, authz));
      throw refused('reused');
    }
    refreshToken = await oauth.issuer.encodeTransientRefreshToken(tenant, {
      ...payload,
      iat: now,
      jti: crypto.randomUUID(),
    });
  }
  const current = boundTo({ ...authz, scp: narrowed(authz, params.scope), iss: issuer }, req.dpopJkt);
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
