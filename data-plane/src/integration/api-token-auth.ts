import { bearerToken, matchesAnyHash } from '@tessera/shared/http/api-token';
import { HttpError } from '@tessera/shared/http/errors';
import { type Step, step } from '../core/step.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';

/** The actor of what an integration API call causes (docs/events.md): API tokens have no identity of their own here. */
export const API_TOKEN_ACTOR = 'tenant_api_token';

type ApiTokenDeps = Pick<DataPlaneDeps, 'apiTokens' | 'oauth'>;

/**
 * Whether `token` is one of the tenant's (not revoked) API tokens, compared
 * in constant time. The tenant context holds the hashes it was loaded with;
 * a token it does not hold may have been minted since, before this node
 * heard of the change (the console and the CLI use a token the moment they
 * mint it), so it is checked against the database as it is now (one shared,
 * paced read per tenant, ports/api-token-hashes.ts). A failed read confirms
 * nothing. Synchronous for a token the context holds.
 */
export function isApiToken(deps: ApiTokenDeps, context: TenantContext, token: string): boolean | Promise<boolean> {
  if (matchesAnyHash(token, context.apiTokenHashes)) return true;
  return deps.apiTokens.current(context.tenant.tid, deps.oauth.clock.now()).then(
    (current) => matchesAnyHash(token, current),
    () => false,
  );
}

/**
 * Admission of the integration APIs: a bearer token that is one of the
 * tenant's API tokens (`isApiToken`). A token of another tenant is just a
 * wrong token here.
 */
export function requireApiToken(deps: ApiTokenDeps): Step {
  return step('requireApiToken', (x) => {
    const token = bearerToken(x.request.headers.authorization);
    if (!token) {
      throw new HttpError(401, 'missing_token', 'Bearer authentication with a tenant API token is required', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    return admitApiToken(deps, x.request.tenant, token, refused);
  });
}

/** Nothing when `token` is one of the tenant's API tokens, else `refusal()` thrown; a promise only when the database is asked. */
export function admitApiToken(
  deps: ApiTokenDeps,
  context: TenantContext,
  token: string,
  refusal: () => Error,
): undefined | Promise<undefined> {
  const known = isApiToken(deps, context, token);
  if (known === true) return undefined;
  return Promise.resolve(known).then((ok) => {
    if (!ok) throw refusal();
    return undefined;
  });
}

const refused = () =>
  new HttpError(401, 'invalid_token', 'The bearer token is not an API token of this tenant', {
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  });
