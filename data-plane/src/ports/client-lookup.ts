import type { Client } from '@tessera/shared/clients/client';

/**
 * Clients as the request path reads them (stores/client-cache.ts keeps them
 * in process over a `ClientStore`).
 *
 * Contract:
 * - `get` answers what the store holds, or held before the last eviction of
 *   that client; concurrent misses share one store read.
 * - `peek` answers without waiting: the cached client, or undefined.
 * - After `evict(tid, clientId)` (or `evictTenant`) the next `get` reads the
 *   store again, and a read that started before the eviction does not
 *   repopulate the cache with what it found.
 */
export interface ClientLookup {
  peek(tid: string, clientId: string): Client | undefined;
  get(tid: string, clientId: string): Promise<Client | undefined>;
  evict(tid: string, clientId: string): void;
  evictTenant(tid: string): void;
}
