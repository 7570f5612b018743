import type { Client } from '@tessera/shared/clients/client';
import { authenticateClient } from '../client-auth/index.ts';
import type { DataPlaneDeps } from '../endpoints/endpoint.ts';
import { formParams, oauthError } from './oauth-error.ts';
import type { OAuthRequest } from './oauth-request.ts';

/**
 * The common start of the back-channel OAuth endpoints: a form body (no
 * repeated parameters) and an authenticated client. Assertions may name the
 * issuer or the URL of the endpoint called as their audience.
 */
export async function clientRequest(request: OAuthRequest, deps: DataPlaneDeps, endpointPath: string): Promise<{ params: Record<string, string>; client: Client }> {
  const type = request.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw oauthError('invalid_request', 'The request must be application/x-www-form-urlencoded');
  }
  const params = formParams(request.body);
  const issuer = request.issuer!;
  const client = await authenticateClient({ request, params, audiences: [issuer, `${issuer}${endpointPath}`], deps });
  return { params, client };
}
