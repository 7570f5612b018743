import type { Client } from '@tessera/shared/clients/client';
import { subjectForClient } from '@tessera/shared/tokens/pairwise';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { epochSeconds } from '../ports/clock.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { jwtForClient } from '../tokens/client-jwt.ts';
import { idTokenJwtOptions } from '../tokens/id-token-issuer.ts';

/** The one event a logout token carries (Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** The JWS `typ` of logout tokens (§2.4, RFC 8725 §3.11): never mistaken for an ID token. */
export const LOGOUT_TOKEN_TYPE = 'logout+jwt';
/** Seconds a logout token is valid (Connect2id 15.7: five minutes). */
export const LOGOUT_TOKEN_LIFETIME = 300;

export interface LogoutTokenInput {
  iss: string;
  /** The client, the token's audience. */
  aud: string;
  /** The subject as that client knows it (pairwise for pairwise clients). */
  sub: string;
  /** The session's `sid`, as the client's ID tokens carried it. */
  sid: string;
  jti: string;
}

/**
 * A logout token's claim set (OpenID Connect Back-Channel Logout 1.0 §2.4):
 * `iss`, `aud`, `iat`, `exp`, `jti`, `events` and both `sub` and `sid`
 * (Tessera supports `sid`, so every token has it, whether or not the client
 * registered `backchannel_logout_session_required`); never a `nonce`, so a
 * logout token cannot pass for an ID token.
 */
export function logoutTokenClaims(input: LogoutTokenInput, now: number): Record<string, unknown> {
  return {
    iss: input.iss,
    sub: input.sub,
    aud: input.aud,
    iat: now,
    exp: now + LOGOUT_TOKEN_LIFETIME,
    jti: input.jti,
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    sid: input.sid,
  };
}

/**
 * The logout token for `client`, made at delivery: issued by the tenant's
 * primary issuer (a subject session serves clients under every issuer and
 * alias of the tenant and records none of them), `sub` pairwise for pairwise
 * clients, signed and encrypted exactly like the client's ID tokens (its
 * `id_token_signed_response_alg`, `id_token_encrypted_response_alg`/`enc`).
 */
export async function logoutTokenFor(
  context: TenantContext,
  deps: Pick<DataPlaneDeps, 'keyStores' | 'clientKeySets' | 'oauth'>,
  client: Client,
  notice: { sub: string; sidHash: string; jti: string },
): Promise<string> {
  const options = idTokenJwtOptions(context, client, LOGOUT_TOKEN_TYPE);
  if (options.alg === 'none')
    throw new Error('the client registered unsigned ID tokens; logout tokens are always signed');
  const claims = logoutTokenClaims(
    {
      iss: context.tenant.issuer,
      aud: client.clientId,
      sub: subjectForClient(context.secrets['subject-enc'], client.metadata, notice.sub),
      sid: notice.sidHash,
      jti: notice.jti,
    },
    epochSeconds(deps.oauth.clock),
  );
  return jwtForClient(context, deps, client, options, claims);
}
