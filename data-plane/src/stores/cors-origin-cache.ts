import { LRUCache } from 'lru-cache';
import type { TenantCorsOrigins } from '../core/policies/cors.ts';
import type { ClientStore } from '../ports/client-store.ts';

/**
 * The CORS origins of each tenant's clients, in process: a preflight is
 * answered from memory. A tenant's set is read once however many requests
 * wait, evicted when one of its clients changes (the client-change message,
 * and at once on the node that made the change) or the tenant does, and
 * re-read after a minute anyway, since client-change messages are not
 * durable. A failed read allows nothing and is not kept.
 */
export class CorsOriginCache implements TenantCorsOrigins {
  readonly #store: Pick<ClientStore, 'corsOrigins'>;
  readonly #cache: LRUCache<string, ReadonlySet<string>>;
  readonly #loading = new Map<string, Promise<ReadonlySet<string>>>();
  /** Bumped by every eviction: a read that started before one does not fill the cache. */
  #generation = 0;

  constructor(store: Pick<ClientStore, 'corsOrigins'>, options: { max?: number; ttlMs?: number } = {}) {
    this.#store = store;
    this.#cache = new LRUCache({ max: options.max ?? 10_000, ttl: options.ttlMs ?? 60_000 });
  }

  allows(tid: string, origin: string): boolean | Promise<boolean> {
    const hit = this.#cache.get(tid);
    if (hit !== undefined) return hit.has(origin);
    return this.#load(tid).then((origins) => origins.has(origin));
  }

  evictTenant(tid: string): void {
    this.#generation++;
    this.#loading.delete(tid);
    this.#cache.delete(tid);
  }

  #load(tid: string): Promise<ReadonlySet<string>> {
    const pending = this.#loading.get(tid);
    if (pending) return pending;
    const generation = this.#generation;
    const promise = this.#store.corsOrigins(tid).then(
      (list) => {
        const origins: ReadonlySet<string> = new Set(list);
        if (generation === this.#generation) this.#cache.set(tid, origins);
        return origins;
      },
      (): ReadonlySet<string> => new Set(),
    );
    const settled = promise.finally(() => {
      if (this.#loading.get(tid) === settled) this.#loading.delete(tid);
    });
    this.#loading.set(tid, settled);
    return settled;
  }
}
