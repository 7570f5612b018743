import { bearerToken, matchesAnyHash } from '@tessera/shared/http/api-token';
import { HttpError } from '@tessera/shared/http/errors';
import { step } from '../core/step.ts';

/** The actor of what an integration API call causes (docs/events.md): API tokens have no identity of their own here. */
export const API_TOKEN_ACTOR = 'tenant_api_token';

/**
 * Admission of the integration APIs: a bearer token whose SHA-256 is one of
 * the tenant's (not revoked) API token hashes, compared in constant time. A
 * token of another tenant is just a wrong token here.
 */
export const requireApiToken = step('requireApiToken', (x) => {
  const token = bearerToken(x.request.headers.authorization);
  if (!token) {
    throw new HttpError(401, 'missing_token', 'Bearer authentication with a tenant API token is required', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  if (!matchesAnyHash(token, x.request.tenant.apiTokenHashes)) {
    throw new HttpError(401, 'invalid_token', 'The bearer token is not an API token of this tenant', {
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    });
  }
});
