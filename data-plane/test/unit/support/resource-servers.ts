import type { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import type { MemoryPlane } from './memory-plane.ts';

/** RFC 8707 resource servers (APIs) by identifier only: no scopes of their own, every client allowed. */
export async function registerResourceServers(plane: MemoryPlane, tenant: TenantContext, identifiers: string[]) {
  for (const identifier of identifiers)
    await plane.ports.resourceServerStore.create(tenant.tenant.tid, {
      identifier,
      name: identifier,
      scopes: [],
      accessToken: {},
      allowedClients: null,
    });
}
