import { tokenDimension } from '@tessera/shared/billing/metrics';
import { boundTo } from '../dpop/token-binding.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import { requestedResources, resourcesOfRequest } from '../oauth/resource-indicators.ts';
import { slotConfigOf } from '../plugins/slot-config.ts';
import { type ExchangeDecision, tokenExchangeHook } from '../plugins/token-exchange-hook.ts';
import { checkMayAct, issuedActor } from '../token-exchange/actor.ts';
import { checkExchangePolicy } from '../token-exchange/exchange-policy.ts';
import { type PresentedToken, presentedToken } from '../token-exchange/presented-token.ts';
import { ISSUABLE_TYPES, isPresentableType, TOKEN_TYPES } from '../token-exchange/token-types.ts';
import type { TokenResponse } from '../tokens/token-response.ts';
import type { GrantHandler, GrantRequest } from './grant.ts';
import { grantAuthorization } from './new-authorization.ts';
import { grantedScope, parseScope } from './scope.ts';

const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const TOKENS = tokenDimension(GRANT_TYPE);

/** A presented token of a declared type, verified; `invalid_grant` saying which and why when it is not good. */
async function verified(req: GrantRequest, which: 'subject' | 'actor'): Promise<PresentedToken> {
  const token = req.params[`${which}_token`]!;
  const type = req.params[`${which}_token_type`]!;
  if (!isPresentableType(type)) throw oauthError('invalid_request', `Unsupported ${which}_token_type`);
  const presented = await presentedToken(req, token, type);
  if (!presented.ok) throw oauthError('invalid_grant', `Invalid ${which}_token: ${presented.reason}`);
  return presented.token;
}

/**
 * RFC 6749 §3.3 / RFC 8693 §2.1: the scope may only narrow. A subject token
 * with a scope: what is asked for must be within it (its scope when nothing
 * is asked for). One without (an ID token, a JWT with no scope claim): the
 * client's own scope policy, as for client credentials.
 */
function exchangedScope(req: GrantRequest, subject: PresentedToken): string[] {
  const requested = parseScope(req.params.scope);
  if (subject.scp === undefined) return grantedScope(req.tenant.tenant.config, req.client, requested);
  if (requested === undefined) return subject.scp;
  const outside = requested.filter((v) => !subject.scp!.includes(v));
  if (outside.length > 0) throw oauthError('invalid_scope', `Not in the subject token's scope: ${outside.join(' ')}`);
  return requested;
}

/**
 * RFC 8693 token exchange. The subject token (and the actor token, for
 * delegation) must be this tenant's own, or JWTs of issuers it trusts for
 * token exchange (token-exchange/presented-token.ts); the tenant's policy
 * must let the client exchange that type of token for the audiences asked
 * (default deny); `may_act` in the subject token limits who may act. The
 * issued access token is for the subject, to the client, with `act` for
 * delegation (nested when the subject token already had one); asked as a
 * `jwt` it is always a JWT and its token_type N_A. No refresh token. The
 * tenant's handler (the tokenExchangeGrant slot), when configured, then
 * decides: it may refuse, or shape the token within what Tessera allowed.
 */
export const tokenExchangeGrant: GrantHandler = {
  grantType: GRANT_TYPE,
  async handle(req) {
    const { tenant, issuer, client, params, deps, usage } = req;
    if (!params.subject_token || !params.subject_token_type)
      throw oauthError('invalid_request', 'Token exchange needs subject_token and subject_token_type');
    if ((params.actor_token === undefined) !== (params.actor_token_type === undefined))
      throw oauthError('invalid_request', 'actor_token and actor_token_type go together');
    const requestedType = params.requested_token_type ?? TOKEN_TYPES.accessToken;
    if (!ISSUABLE_TYPES.has(requestedType))
      throw oauthError('invalid_request', 'requested_token_type may be an access token or a JWT');
    // The policy first: a client that may not exchange learns nothing about the tokens it presents.
    checkExchangePolicy(
      tenant.tenant.config,
      client.clientId,
      params.subject_token_type,
      requestedResources(params) ?? [],
    );
    // RFC 8707 / `audience`: resource servers of the tenant the client may use (oauth/resource-indicators.ts).
    const resources = await resourcesOfRequest(deps.oauth.resourceServers, tenant, client, params);
    const subject = await verified(req, 'subject');
    const actor = params.actor_token === undefined ? undefined : await verified(req, 'actor');
    checkMayAct(subject, actor, client.clientId, issuer);
    let decision: ExchangeDecision = {
      sub: subject.sub,
      scp: exchangedScope(req, subject),
      resources,
      act: issuedActor(subject, actor, issuer),
    };
    // The tenant's handler decides last, on tokens Tessera verified and an exchange its policy allows.
    const handler = slotConfigOf(tenant, 'tokenExchangeGrant');
    if (handler)
      decision = await tokenExchangeHook(deps.webhooks, tenant.tenant.tid, handler, {
        clientId: client.clientId,
        subjectType: params.subject_token_type,
        subject,
        actorType: params.actor_token_type,
        actor,
        requestedTokenType: requestedType,
        ...decision,
      });
    const { sub, scp, act, claims } = decision;
    const authz = grantAuthorization(
      tenant.tenant.config,
      { sub, cid: client.clientId, scp, iss: issuer, act, atc: claims },
      decision.resources,
    );
    const asJwt = requestedType === TOKEN_TYPES.jwt;
    if (asJwt) authz.accessToken.encoding = 'SELF_CONTAINED';
    // A DPoP proof at the token endpoint binds the issued token to its key (RFC 9449 §5).
    const issued = await deps.oauth.issuer.issue(tenant, boundTo(authz, req.dpopJkt));
    usage?.meter(TOKENS, sub);
    const response: TokenResponse = { ...issued, issued_token_type: requestedType };
    if (asJwt) response.token_type = 'N_A';
    return response;
  },
};
