import { tokenDimension } from '@tessera/shared/billing/metrics';
import { boundTo } from '../dpop/token-binding.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import { apiScopes, resourcesOfRequest } from '../oauth/resource-indicators.ts';
import { jwtBearerHook } from '../plugins/jwt-bearer-hook.ts';
import { slotConfigOf } from '../plugins/slot-config.ts';
import { epochSeconds } from '../ports/clock.ts';
import { CLOCK_SKEW, localSubject, verifyTrustedJwt } from '../trust/trusted-jwt.ts';
import type { GrantHandler } from './grant.ts';
import { grantAuthorization } from './new-authorization.ts';
import { grantedScope, parseScope } from './scope.ts';

const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKENS = tokenDimension(GRANT_TYPE);

const invalidGrant = (why: string) => oauthError('invalid_grant', `Invalid assertion: ${why}`);

/** RFC 7523 §3 rule 3: the audience names this server — its issuer or its token endpoint. */
const forUs = (aud: unknown, issuer: string): boolean => {
  const values = Array.isArray(aud) ? aud : [aud];
  return values.some((v) => v === issuer || v === `${issuer}/token`);
};

/**
 * RFC 7523 §2.1: a JWT asserted by an issuer the tenant trusts for this
 * grant (config trustedIssuers, use jwt-bearer) is the authorisation grant.
 * Checked (§3): signed by that issuer with an algorithm it allows; `aud` the
 * tenant's issuer or token endpoint; `exp` present, not past and at most
 * jwtBearer.maxAssertionLifetime ahead; `nbf` and `iat` not in the future;
 * `jti` present and used once (the replay cache, shared by every node, until
 * `exp`); `sub` the subject, as it is or only when the tenant's user
 * directory has it (the issuer's `subjects`). The scope is what the client
 * may have; `resource` / `audience` name APIs as for client credentials
 * (oauth/resource-indicators.ts). No refresh token. Any failure is `invalid_grant`.
 * The tenant's handler (the jwtBearerGrant slot), when configured, decides
 * on the verified claims: it may refuse, map the subject, narrow the scope
 * and add claims.
 */
export const jwtBearerGrant: GrantHandler = {
  grantType: GRANT_TYPE,
  async handle({ tenant, issuer, client, params, deps, usage, dpopJkt }) {
    const assertion = params.assertion;
    if (!assertion) throw oauthError('invalid_request', 'The JWT bearer grant needs an assertion');
    const resources = await resourcesOfRequest(deps.oauth.resourceServers, tenant, client, params);
    let scp = grantedScope(tenant.tenant.config, client, parseScope(params.scope), apiScopes(resources));
    const verified = await verifyTrustedJwt(tenant, deps, assertion, 'jwt-bearer');
    if (!verified.ok) throw invalidGrant(verified.reason);
    const { trusted, claims } = verified;
    const now = epochSeconds(deps.oauth.clock);
    if (!forUs(claims.aud, issuer)) throw invalidGrant('the audience is not this issuer or its token endpoint');
    if (claims.exp > now + tenant.tenant.config.jwtBearer.maxAssertionLifetime + CLOCK_SKEW)
      throw invalidGrant('it expires too far ahead');
    if (claims.iat !== undefined && claims.iat > now + CLOCK_SKEW) throw invalidGrant('issued in the future');
    if (typeof claims.jti !== 'string' || claims.jti === '') throw invalidGrant('no jti');
    const use = await deps.oauth.replay.use(
      tenant.tenant.tid,
      'jwt-bearer-grant',
      `${trusted.issuer}\u0000${claims.jti}`,
      claims.exp + CLOCK_SKEW,
    );
    if (!use.first) throw invalidGrant('it was used before');
    // The tenant's handler decides on the verified claims; the subject it maps to meets the issuer's subject rule.
    let mapped = claims.sub;
    let atc: Record<string, unknown> | undefined;
    const handler = slotConfigOf(tenant, 'jwtBearerGrant');
    if (handler)
      ({
        sub: mapped,
        scp,
        claims: atc,
      } = await jwtBearerHook(deps.webhooks, tenant.tenant.tid, handler, {
        clientId: client.clientId,
        issuer: trusted.issuer,
        claims,
        scp,
        audience: resources.map((rs) => rs.identifier),
      }));
    const sub = await localSubject(tenant, deps, trusted, mapped);
    if (sub === undefined) throw invalidGrant('the subject is not a user of this tenant');
    const authz = grantAuthorization(
      tenant.tenant.config,
      { sub, cid: client.clientId, scp, iss: issuer, atc },
      resources,
    );
    const response = await deps.oauth.issuer.issue(tenant, boundTo(authz, dpopJkt));
    usage?.meter(TOKENS, sub);
    return response;
  },
};
