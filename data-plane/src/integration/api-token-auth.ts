import { bearerToken, matchesAnyHash } from '@tessera/shared/http/api-token';
import { HttpError } from '@tessera/shared/http/errors';
import { type Step, step } from '../core/step.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';

/** The actor of what an integration API call causes (docs/events.md): API tokens have no identity of their own here. */
export const API_TOKEN_ACTOR = 'tenant_api_token';

const refused = () =>
  new HttpError(401, 'invalid_token', 'The bearer token is not an API token of this tenant', {
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  });

/**
 * Admission of the integration APIs: a bearer token whose SHA-256 is one of
 * the tenant's (not revoked) API token hashes, compared in constant time. A
 * token of another tenant is just a wrong token here.
 *
 * The tenant context holds the hashes it was loaded with. A token it does not
 * hold may have been minted since, before this node heard of the change (the
 * console and the CLI use a token the moment they mint it): such a token is
 * checked against the database as it is now (one shared, paced read
 * per tenant, ports/api-token-hashes.ts) before it is refused.
 */
export function requireApiToken(deps: Pick<DataPlaneDeps, 'apiTokens' | 'oauth'>): Step {
  return step('requireApiToken', (x) => {
    const token = bearerToken(x.request.headers.authorization);
    if (!token) {
      throw new HttpError(401, 'missing_token', 'Bearer authentication with a tenant API token is required', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    const { tenant, apiTokenHashes } = x.request.tenant;
    if (matchesAnyHash(token, apiTokenHashes)) return undefined;
    const since = deps.oauth.clock.now();
    // A failed read confirms nothing: the token stays refused (401), as the cached context has it.
    return deps.apiTokens.current(tenant.tid, since).then(
      (current) => {
        if (!matchesAnyHash(token, current)) throw refused();
        return undefined;
      },
      () => {
        throw refused();
      },
    );
  });
}
