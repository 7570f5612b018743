import type { Client } from '@tessera/shared/clients/client';
import type { UsageMeter } from '../core/usage-meter.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import type { TokenResponse } from '../tokens/token-response.ts';

export interface GrantRequest {
  tenant: TenantContext;
  /** The issuer URL the request is served under. */
  issuer: string;
  client: Client;
  /** Form parameters, single-valued. */
  params: Record<string, string>;
  /** The client's address (tenancy/client-address.ts), for the password guessing brake. */
  ip: string;
  deps: DataPlaneDeps;
  /**
   * The JWK thumbprint of the DPoP key the request proved (RFC 9449; the
   * token endpoint's dpopProof step): the access token is bound to it
   * (dpop/token-binding.ts `boundTo`), and a public client's refresh token too.
   */
  dpopJkt?: string | undefined;
  /** Where the grant says what it issued, and for whom (`tokens:<grant_type>`; the password grant's sign-in): the exchange. */
  usage?: UsageMeter;
}

/** One grant type of the token endpoint; each lives in its own file, registered in grants/index.ts. */
export interface GrantHandler {
  grantType: string;
  /** Whether the grant can run on this node (e.g. the password grant needs a handler). */
  available?(deps: DataPlaneDeps): boolean;
  handle(request: GrantRequest): Promise<TokenResponse>;
}
