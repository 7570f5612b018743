import type { Client } from '@tessera/shared/clients/client';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import type { OAuthRequest } from '../oauth/oauth-request.ts';

/** What a client authentication method sees of a request. */
export interface ClientAuthInput {
  request: OAuthRequest;
  /** Form parameters of the request, already checked for repeats. */
  params: Record<string, string>;
  /** URLs an assertion may name as its audience: the issuer and the endpoint called. */
  audiences: string[];
  deps: DataPlaneDeps;
}

/**
 * One token_endpoint_auth_method. `claims` says whether the request carries
 * this method's credentials; `authenticate` verifies them and returns the
 * client, or throws invalid_client.
 */
export interface ClientAuthMethod {
  name: string;
  claims(input: ClientAuthInput): boolean;
  /** The client id the credentials name (before verifying them). */
  clientId(input: ClientAuthInput): string | undefined;
  /** Synchronous where nothing is fetched (secrets), so the token endpoint's common case takes no await. */
  authenticate(input: ClientAuthInput, client: Client): void | Promise<void>;
  /** JWS algorithms accepted for assertions (for metadata). */
  signingAlgorithms?: readonly string[];
}
