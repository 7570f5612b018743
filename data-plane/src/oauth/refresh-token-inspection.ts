import type { Authorization } from '@tessera/shared/authz/authorization';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { persistedFacts, refreshTokenRefusal } from '../grants/refresh-token-validity.ts';
import type { StoredAuthorization } from '../ports/authorization-store.ts';
import { epochSeconds } from '../ports/clock.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';

/** A refresh token that is still usable: a transient authorisation's JWE, or a persisted authorisation's identifier. */
export type UsableRefreshToken =
  | { kind: 'transient'; authz: Authorization; iat: number }
  | { kind: 'persisted'; authz: Authorization; stored: StoredAuthorization };

/**
 * The authorisation behind a refresh token of this tenant that is still
 * usable, by the refresh grant's own rule (grants/refresh-token-validity.ts)
 * asked for the tenant (no client or issuer to match: the caller judges
 * those), or null. Nothing is used up. The authorisation store API's
 * inspection and token exchange's subject tokens ask it.
 */
export async function usableRefreshToken(
  context: TenantContext,
  deps: DataPlaneDeps,
  token: string,
): Promise<UsableRefreshToken | null> {
  const { tid, config } = context.tenant;
  const grace = config.tokens.refreshTokenReuseGracePeriod;
  const now = epochSeconds(deps.oauth.clock);
  if (token.split('.').length === 5) {
    const payload = await deps.oauth.issuer.decodeTransientRefreshToken(context, token);
    if (!payload) return null;
    const { authz } = payload;
    const refusal = refreshTokenRefusal({
      now,
      grace,
      known: true,
      authz,
      expiresAt: payload.exp,
      revokedSince: await deps.oauth.journal.isRevokedDurably(tid, authz.sub, authz.cid, payload.iat),
      // Used (rotated) beyond the grace period: its next use would revoke the authorisation.
      usedAt: authz.refreshToken.rotate ? await deps.oauth.replay.usedAt(tid, 'refresh-token', payload.jti) : null,
    });
    return refusal ? null : { kind: 'transient', authz, iat: payload.iat };
  }
  const row = await deps.oauth.refreshTokens.find(tid, context.secrets['identifier-hmac'], token);
  const stored = row ? await deps.oauth.authorizations.get(tid, row.authorizationId) : null;
  const refusal = refreshTokenRefusal(persistedFacts(row, stored?.authz, { now, grace }));
  return refusal || !stored ? null : { kind: 'persisted', authz: stored.authz, stored };
}
