import type { ResourceServer } from '@tessera/shared/resources/resource-server';

/**
 * A tenant's resource servers (APIs): writes and authoritative reads go
 * through the `ResourceServerStore` (its contract is on the interface, in
 * shared/src/resources/resource-server-store.ts: PostgreSQL, or
 * ports/memory/memory-resource-server-store.ts); the request path reads
 * through a `ResourceServerLookup` (stores/resource-server-cache.ts).
 */
export type { ResourceServerStore } from '@tessera/shared/resources/resource-server-store';

/**
 * Resource servers as the request path reads them.
 *
 * Contract:
 * - `get` answers what the store holds for (tid, identifier), or held before
 *   the tenant's last eviction; concurrent misses share one store read.
 * - After `evictTenant(tid)` the next `get` of that tenant reads the store
 *   again, and a read that started before does not repopulate the cache.
 */
export interface ResourceServerLookup {
  get(tid: string, identifier: string): Promise<ResourceServer | undefined>;
  evictTenant(tid: string): void;
}
