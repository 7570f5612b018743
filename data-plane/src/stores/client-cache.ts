import type { Client } from '@tessera/shared/clients/client';
import { LRUCache } from 'lru-cache';
import type { ClientLookup } from '../ports/client-lookup.ts';
import type { ClientStore } from '../ports/client-store.ts';

const MISSING = Symbol('missing');

/**
 * Clients by tenant and client id, in process: the token endpoint
 * authenticates from memory. A miss reads Postgres once however many
 * requests wait (any `ClientStore`: PostgreSQL, or in memory in unit tests); an unknown client id is remembered briefly so a flood of
 * made-up ids cannot turn into a flood of queries. Changes evict through the
 * tenant-change channel.
 */
export class ClientCache implements ClientLookup {
  readonly #store: ClientStore;
  readonly #cache: LRUCache<string, Client | typeof MISSING>;
  readonly #loading = new Map<string, Promise<Client | undefined>>();
  readonly #epochs = new Map<string, number>();
  /** Lookups answered from the cache (a remembered unknown id too) and those that read the store (exported as metrics). */
  readonly stats = { hits: 0, misses: 0 };

  constructor(store: ClientStore, options: { max?: number; missingTtlMs?: number } = {}) {
    this.#store = store;
    this.#cache = new LRUCache<string, Client | typeof MISSING>({
      max: options.max ?? 100_000,
      ttl: 0,
      ttlAutopurge: false,
    });
    this.missingTtlMs = options.missingTtlMs ?? 10_000;
  }

  readonly missingTtlMs: number;

  /** A cached client without waiting (undefined on a miss, or for a remembered unknown id). */
  peek(tid: string, clientId: string): Client | undefined {
    const hit = this.#cache.get(`${tid}\u0000${clientId}`);
    if (hit !== undefined && hit !== MISSING) this.stats.hits++;
    return hit === MISSING ? undefined : hit;
  }

  async get(tid: string, clientId: string): Promise<Client | undefined> {
    const key = `${tid}\u0000${clientId}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      this.stats.hits++;
      return hit === MISSING ? undefined : hit;
    }
    this.stats.misses++;
    const pending = this.#loading.get(key);
    if (pending) return pending;
    const epoch = this.#epochs.get(key) ?? 0;
    const promise = this.#store
      .get(tid, clientId)
      .then((client) => {
        if ((this.#epochs.get(key) ?? 0) === epoch) {
          if (client) this.#cache.set(key, client);
          else this.#cache.set(key, MISSING, { ttl: this.missingTtlMs });
        }
        return client;
      })
      .finally(() => {
        if (this.#loading.get(key) === promise) this.#loading.delete(key);
      });
    this.#loading.set(key, promise);
    return promise;
  }

  evict(tid: string, clientId: string): void {
    const key = `${tid}\u0000${clientId}`;
    this.#epochs.set(key, (this.#epochs.get(key) ?? 0) + 1);
    this.#loading.delete(key);
    this.#cache.delete(key);
  }

  evictTenant(tid: string): void {
    const prefix = `${tid}\u0000`;
    for (const key of [...this.#cache.keys()]) if (key.startsWith(prefix)) this.evict(tid, key.slice(prefix.length));
  }
}
