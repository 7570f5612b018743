import { LRUCache } from 'lru-cache';
import type { Db } from '@tessera/shared/db/database';
import { publishedKeys } from '@tessera/shared/keys/published-keys';
import { loadTenant } from '@tessera/shared/tenancy/tenant-reader';
import { TenantContext } from './tenant-context.ts';

/**
 * In-process LRU of tenant contexts. A hit is a synchronous map look-up; a
 * miss loads the tenant (row, config, aliases, public keys) once, however
 * many requests wait for it. Entries are evicted by the tenant sync when the
 * control plane announces a change, never by age.
 */
export class TenantCache {
  readonly #cache: LRUCache<string, TenantContext>;

  constructor(db: Db, options: { max: number }) {
    this.#cache = new LRUCache<string, TenantContext>({
      max: options.max,
      fetchMethod: async (tid) => {
        const tenant = await loadTenant(db, tid);
        if (!tenant) return undefined;
        return new TenantContext(tenant, await publishedKeys(db, tid));
      },
    });
  }

  /** The cached context, or undefined on a miss (then call `load`). */
  peek(tid: string): TenantContext | undefined {
    return this.#cache.get(tid);
  }

  load(tid: string): Promise<TenantContext | undefined> {
    return this.#cache.fetch(tid);
  }

  evict(tid: string): void {
    this.#cache.delete(tid);
  }

  cachedTids(): string[] {
    return [...this.#cache.keys()];
  }

  get size(): number {
    return this.#cache.size;
  }
}
