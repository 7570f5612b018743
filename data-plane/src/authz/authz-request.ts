import type { DataPlaneDeps } from '../data-plane-deps.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import type { AuthorizationRequest, ParsedRequest } from './authorization-request.ts';
import { type IncomingDeps, type IncomingRequest, runChecks, type TrustedRequest } from './checks/authz-check.ts';
import { AFTER_REDIRECT, BEFORE_REDIRECT } from './checks/index.ts';
import { trust } from './checks/trust.ts';
import { words } from './checks/values.ts';
import { resolveRequestObject } from './request-source.ts';

export type { AuthorizationRequest, ParsedRequest, RedirectTarget } from './authorization-request.ts';
export { queryParams } from './checks/request-params.ts';

/** The validated request, from what the checks established. */
function requestOf(s: TrustedRequest): AuthorizationRequest {
  const { params, established: e } = s;
  return {
    clientId: s.client.clientId,
    redirectUri: s.redirectUri,
    redirectUriGiven: s.redirectUriGiven,
    responseType: [...s.responseType],
    responseMode: s.responseMode,
    scope: e.scope,
    ...(e.resources?.length ? { resources: e.resources.map((rs) => rs.identifier) } : {}),
    prompt: e.prompt,
    display: e.display,
    params,
    ...(s.target.state !== undefined ? { state: s.target.state } : {}),
    ...(e.nonce !== undefined ? { nonce: e.nonce } : {}),
    ...(e.codeChallenge !== undefined
      ? { codeChallenge: e.codeChallenge, codeChallengeMethod: e.codeChallengeMethod! }
      : {}),
    ...(e.dpopJkt !== undefined ? { dpopJkt: e.dpopJkt } : {}),
    ...(e.maxAge !== undefined ? { maxAge: e.maxAge } : {}),
    ...(params.id_token_hint !== undefined ? { idTokenHint: params.id_token_hint, hintSub: e.hintSub! } : {}),
    ...(params.login_hint !== undefined ? { loginHint: params.login_hint } : {}),
    ...(params.acr_values !== undefined ? { acrValues: words(params.acr_values) } : {}),
    ...(e.claims ? { claims: e.claims } : {}),
    ...(params.ui_locales !== undefined ? { uiLocales: words(params.ui_locales) } : {}),
    ...(params.claims_locales !== undefined ? { claimsLocales: words(params.claims_locales) } : {}),
  };
}

/**
 * Run the authorisation request checks (authz/checks/index.ts) against
 * narrow dependencies: the checks before the redirect URI is trusted, whose
 * refusals are not redirectable, then those after, whose refusals go to the
 * client.
 */
export async function checkAuthorizationRequest(
  context: TenantContext,
  issuer: string,
  deps: IncomingDeps,
  query: string,
): Promise<ParsedRequest> {
  const incoming: IncomingRequest = {
    context,
    issuer,
    deps,
    query,
    params: {},
    repeated: [],
    source: 'query',
    redirectUriGiven: false,
  };
  const untrusted = await runChecks(BEFORE_REDIRECT, incoming);
  if (untrusted) return { ok: false, ...untrusted };
  const trusted = trust(incoming);
  const refused = await runChecks(AFTER_REDIRECT, trusted);
  if (refused) return { ok: false, ...refused, target: trusted.target, client: trusted.client };
  return { ok: true, request: requestOf(trusted), client: trusted.client };
}

/**
 * Parse and strictly validate an authorisation request (RFC 6749 §4, OpenID
 * Connect Core §3, RFC 7636, RFC 9101 / 9126 through request-source.ts).
 * Until the client and redirect URI are established the errors are not
 * redirectable; after that they go to the client.
 */
export async function parseAuthorizationRequest(
  context: TenantContext,
  issuer: string,
  deps: DataPlaneDeps,
  query: string,
): Promise<ParsedRequest> {
  return checkAuthorizationRequest(
    context,
    issuer,
    {
      clients: deps.clients,
      resolve: (params) => resolveRequestObject(context, issuer, deps, params),
      webhooks: deps.webhooks,
      resourceServers: deps.oauth.resourceServers,
    },
    query,
  );
}
