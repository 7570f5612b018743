import type { Authorization } from '@tessera/shared/authz/authorization';
import type { Client } from '@tessera/shared/clients/client';
import { HttpError } from '@tessera/shared/http/errors';
import { idTokenClaims } from '@tessera/shared/tokens/id-token';
import { subjectForClient } from '@tessera/shared/tokens/pairwise';
import { halfHash } from '@tessera/shared/tokens/token-hash';
import { claimTargets, releasedClaims } from '../authz/released-claims.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { epochSeconds } from '../ports/clock.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { jwtForClient } from './client-jwt.ts';

/** The end-user authentication behind an ID token: the subject session, or what a code recorded of it. */
export interface IdTokenAuthentication {
  authTime?: number | undefined;
  acr?: string | undefined;
  amr?: string[] | undefined;
  /** Claims of the subject session (and, for codes, the preset ID token claims). */
  claims?: Record<string, unknown> | undefined;
}

/** What every flow (front channel, token endpoint, direct authorisation) knows when it issues an ID token. */
export interface AuthorizationIdTokenRequest {
  issuer: string;
  client: Client;
  authz: Authorization;
  /** Absent once the subject session has ended (refresh): no sid, auth_time, acr, amr then. */
  authentication?: IdTokenAuthentication | undefined;
  /** No access token is issued to fetch UserInfo with (response_type=id_token): plain consented claims go into the ID token (Core §5.4). */
  claimsInIdToken?: boolean;
  nonce?: string | undefined;
  /** Issued alongside: hashed into at_hash, c_hash, s_hash. */
  accessToken?: string | undefined;
  code?: string | undefined;
  state?: string | undefined;
}

/**
 * How a client's ID tokens are signed and encrypted (for jwtForClient): the
 * JWS algorithm it registered, else the tenant's, and its
 * `id_token_encrypted_response_alg`/`enc`. Logout tokens are made the same way.
 */
export const idTokenJwtOptions = (context: TenantContext, client: Client, typ: string) => ({
  alg:
    (client.metadata.id_token_signed_response_alg as string | undefined) ??
    context.tenant.config.keys.idTokenSigningAlgorithm,
  encAlg: client.metadata.id_token_encrypted_response_alg as string | undefined,
  enc: client.metadata.id_token_encrypted_response_enc as string | undefined,
  typ,
});

/**
 * The ID token of an authorisation — the one function every flow calls, so
 * the client's registration applies the same way everywhere (OpenID Connect
 * Core §2, §3.1.3.6, §3.3.2.11, §8.1):
 *
 * - `sub` (and an impersonator's `act.sub`) pairwise for pairwise clients;
 * - claims: the subject session's, then the preset ID token claims
 *   (`authz.idp`), then the consented `id_token:` claims from the tenant's
 *   claims source (all plain ones too when `claimsInIdToken`);
 * - signed with the client's `id_token_signed_response_alg` (the tenant's
 *   key, or the client secret for HS*), encrypted where it registered
 *   `id_token_encrypted_response_alg`/`enc`; `typ` is `JWT`, or
 *   `id_token+jwt` for clients that registered `id_token_explicit_typ: true`.
 */
export async function idTokenForAuthorization(
  context: TenantContext,
  deps: DataPlaneDeps,
  req: AuthorizationIdTokenRequest,
): Promise<string> {
  const { client, authz, authentication: auth } = req;
  const subjectKey = context.secrets['subject-enc'];
  const clientSub = (localSub: string) => subjectForClient(subjectKey, client.metadata, localSub);
  const options = idTokenJwtOptions(
    context,
    client,
    client.metadata.id_token_explicit_typ === true ? 'id_token+jwt' : 'JWT',
  );
  const { alg } = options;
  // Registration refuses "none" (client-metadata.ts); a client stored before that gets a clear error, not a 500.
  if (alg === 'none')
    throw new HttpError(
      400,
      'invalid_client_metadata',
      'The client registered id_token_signed_response_alg "none"; unsigned ID tokens are not issued',
    );
  const released = await releasedClaims(
    deps,
    context,
    authz,
    claimTargets(authz.clm ?? [], req.claimsInIdToken ?? false).idToken,
    authz.cll ?? [],
  );
  const payload = idTokenClaims(
    {
      iss: req.issuer,
      sub: clientSub(authz.sub),
      aud: client.clientId,
      lifetime: authz.idToken?.lifetime || context.tenant.config.tokens.idTokenLifetime,
      ...(auth?.authTime !== undefined ? { authTime: auth.authTime } : {}),
      ...(auth && authz.sid ? { sid: authz.sid } : {}),
      ...(req.nonce !== undefined ? { nonce: req.nonce } : {}),
      ...(auth?.acr ? { acr: auth.acr } : {}),
      ...(auth?.amr ? { amr: auth.amr } : {}),
      ...(req.accessToken ? { atHash: halfHash(alg, req.accessToken) } : {}),
      ...(req.code ? { cHash: halfHash(alg, req.code) } : {}),
      ...(req.state !== undefined ? { sHash: halfHash(alg, req.state) } : {}),
      ...(authz.act ? { act: { sub: clientSub(authz.act.sub) } } : {}),
      claims: { ...auth?.claims, ...authz.idp, ...released },
    },
    epochSeconds(deps.oauth.clock),
  );
  return jwtForClient(context, deps, client, options, payload);
}
