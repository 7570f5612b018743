import type { ResourceServer } from '@tessera/shared/resources/resource-server';
import { LRUCache } from 'lru-cache';
import type { ResourceServerLookup, ResourceServerStore } from '../ports/resource-servers.ts';

const MISSING = Symbol('missing');

/**
 * Resource servers by tenant and identifier, in process, like clients
 * (client-cache.ts): token requests naming a `resource` read memory. A miss
 * reads the store once however many requests wait; an unknown identifier is
 * remembered briefly, so made-up resources cannot become a flood of
 * queries. Every change is announced as a tenant change (the management
 * APIs do), and the tenant sync evicts the whole tenant here.
 */
export class ResourceServerCache implements ResourceServerLookup {
  readonly #store: ResourceServerStore;
  readonly #cache: LRUCache<string, ResourceServer | typeof MISSING>;
  readonly #loading = new Map<string, Promise<ResourceServer | undefined>>();
  readonly #epochs = new Map<string, number>();
  readonly #missingTtlMs: number;

  constructor(store: ResourceServerStore, options: { max?: number; missingTtlMs?: number } = {}) {
    this.#store = store;
    this.#cache = new LRUCache({ max: options.max ?? 100_000, ttl: 0, ttlAutopurge: false });
    this.#missingTtlMs = options.missingTtlMs ?? 10_000;
  }

  async get(tid: string, identifier: string): Promise<ResourceServer | undefined> {
    const key = `${tid}\u0000${identifier}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit === MISSING ? undefined : hit;
    const pending = this.#loading.get(key);
    if (pending) return pending;
    const epoch = this.#epochs.get(tid) ?? 0;
    const promise = this.#store
      .get(tid, identifier)
      .then((found) => {
        if ((this.#epochs.get(tid) ?? 0) === epoch) {
          if (found) this.#cache.set(key, found);
          else this.#cache.set(key, MISSING, { ttl: this.#missingTtlMs });
        }
        return found;
      })
      .finally(() => {
        if (this.#loading.get(key) === promise) this.#loading.delete(key);
      });
    this.#loading.set(key, promise);
    return promise;
  }

  evictTenant(tid: string): void {
    this.#epochs.set(tid, (this.#epochs.get(tid) ?? 0) + 1);
    const prefix = `${tid}\u0000`;
    for (const key of [...this.#loading.keys()]) if (key.startsWith(prefix)) this.#loading.delete(key);
    for (const key of [...this.#cache.keys()]) if (key.startsWith(prefix)) this.#cache.delete(key);
  }
}
