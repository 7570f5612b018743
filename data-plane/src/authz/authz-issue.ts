import type { Authorization } from '@tessera/shared/authz/authorization';
import type { Client } from '@tessera/shared/clients/client';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { epochSeconds } from '../ports/clock.ts';
import type { SubjectSession } from '../ports/subject-session-store.ts';
import { isolatesGrants } from '../tenancy/alias-mode.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { idTokenForAuthorization } from '../tokens/id-token-issuer.ts';
import { frontChannelTokenIssuedEvent } from '../tokens/token-issued-event.ts';
import type { TokenResponse } from '../tokens/token-response.ts';
import type { AuthorizationRequest } from './authz-request.ts';
import { authorizationResponse, type ResponseMessage } from './response-mode.ts';
import { sessionState } from './session-state.ts';

/**
 * The successful authorisation response: a code bound to the client,
 * redirect URI, PKCE and issuer; tokens and an ID token for the implicit
 * and hybrid types (never a refresh token through the front channel).
 * A long-lived authorisation is persisted here, so the next request of the
 * same client for the same subject skips consent. With the browser state
 * (hosted login), an OpenID response carries `session_state`.
 */
export async function issueAuthorization(
  context: TenantContext,
  issuer: string,
  deps: DataPlaneDeps,
  client: Client,
  request: AuthorizationRequest,
  subject: { sid: string; session: SubjectSession },
  authz: Authorization,
  browserState?: string,
): Promise<ResponseMessage> {
  const { tid, config } = context.tenant;
  const words = request.responseType;
  const params: Record<string, string> = {};
  if (request.state !== undefined) params.state = request.state;
  if (authz.longLived && !isolatesGrants(context.tenant, issuer)) await deps.oauth.authorizations.upsert(tid, authz);

  const session = subject.session;
  const sessionClaims = { ...session.claims, ...authz.idp };
  const openid = authz.scp.includes('openid');
  const issuesAccessToken = words.includes('code') || words.includes('token');

  if (words.includes('code')) {
    params.code = await deps.oauth.codes.issue(
      tid,
      context.secrets['identifier-hmac'],
      {
        authz,
        redirectUri: request.redirectUri,
        redirectUriGiven: request.redirectUriGiven,
        ...(request.codeChallenge
          ? { codeChallenge: request.codeChallenge, codeChallengeMethod: request.codeChallengeMethod! }
          : {}),
        ...(request.dpopJkt !== undefined ? { dpopJkt: request.dpopJkt } : {}),
        ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
        authTime: session.authTime,
        ...(session.acr ? { acr: session.acr } : {}),
        ...(session.amr ? { amr: session.amr } : {}),
        sessionClaims,
        exp: epochSeconds(deps.oauth.clock) + config.tokens.authorizationCodeLifetime,
      },
      config.tokens.authorizationCodeLifetime,
    );
  }
  let tokens: TokenResponse | undefined;
  if (words.includes('token')) {
    tokens = await deps.oauth.issuer.issue(context, {
      ...authz,
      longLived: false,
      refreshToken: { ...authz.refreshToken, issue: false },
    });
    params.access_token = tokens.access_token;
    params.token_type = tokens.token_type;
    params.expires_in = String(tokens.expires_in);
    if (tokens.scope) params.scope = tokens.scope;
  }
  if (words.includes('id_token') && openid) {
    params.id_token = await idTokenForAuthorization(context, deps, {
      issuer,
      client,
      authz,
      authentication: { authTime: session.authTime, acr: session.acr, amr: session.amr, claims: session.claims },
      claimsInIdToken: !issuesAccessToken,
      nonce: request.nonce,
      accessToken: params.access_token,
      code: params.code,
      state: words.includes('code') ? request.state : undefined,
    });
  }
  // Session Management 1.0 §3: an authentication response tells the RP the browser state it was issued under.
  if (openid && browserState !== undefined) {
    const state = sessionState(client.clientId, request.redirectUri, browserState);
    if (state) params.session_state = state;
  }
  if (params.access_token === undefined && params.id_token === undefined)
    return authorizationResponse(context, issuer, deps, client, request, params);
  // Tokens through the front channel: their event is in the outbox before the redirect carries them (docs/events.md).
  const event = frontChannelTokenIssuedEvent(
    tid,
    client.clientId,
    words,
    authz,
    tokens,
    params.id_token !== undefined,
    epochSeconds(deps.oauth.clock),
  );
  const [, response] = await Promise.all([
    deps.events.emit(event),
    authorizationResponse(context, issuer, deps, client, request, params),
  ]);
  return response;
}

/** An error response to the client (RFC 6749 §4.1.2.1), with `state` and `iss`. */
export async function errorResponse(
  context: TenantContext,
  issuer: string,
  deps: DataPlaneDeps,
  client: Client,
  target: { redirectUri: string; responseMode: AuthorizationRequest['responseMode']; state?: string | undefined },
  error: string,
  description?: string,
): Promise<ResponseMessage> {
  const params: Record<string, string> = { error };
  if (description) params.error_description = description;
  if (target.state !== undefined) params.state = target.state;
  return authorizationResponse(context, issuer, deps, client, target, params);
}
