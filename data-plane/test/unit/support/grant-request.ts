import type { Client } from '@tessera/shared/clients/client';
import type { GrantRequest } from '../../../src/grants/grant.ts';
import type { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import type { MemoryPlane } from './memory-plane.ts';

/** What the token endpoint hands a grant handler once the client has authenticated (endpoints/token.ts, runGrant). */
export const grantRequest = (
  plane: MemoryPlane,
  tenant: TenantContext,
  client: Client,
  params: Record<string, string>,
  options: { ip?: string; issuer?: string } = {},
): GrantRequest => ({
  tenant,
  issuer: options.issuer ?? tenant.tenant.issuer,
  client,
  params,
  ip: options.ip ?? '192.0.2.1',
  deps: plane.deps,
});
