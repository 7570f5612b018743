import type { MasterKey } from '@tessera/shared/crypto/master-key';
import type { Db } from '@tessera/shared/db/database';
import { publishedKeys } from '@tessera/shared/keys/published-keys';
import { openTenantSecrets } from '@tessera/shared/keys/tenant-secrets';
import { loadTenant } from '@tessera/shared/tenancy/tenant-reader';
import { LRUCache } from 'lru-cache';
import { unrevokedApiTokenHashes } from '../stores/api-token-hashes.ts';
import { TenantContext } from './tenant-context.ts';

/**
 * In-process LRU of tenant contexts. A hit is a synchronous map look-up; a
 * miss loads the tenant (row, config, aliases, public keys, API token hashes)
 * once, however many requests wait for it. Entries are evicted by the tenant
 * sync when a change is announced, never by age; a load that an eviction
 * overtakes still answers the requests that were waiting for it, but is not
 * cached (it may predate the change).
 */
export class TenantCache {
  readonly #db: Db;
  readonly #masterKey: MasterKey;
  readonly #cache: LRUCache<string, TenantContext>;
  readonly #loading = new Map<string, Promise<TenantContext | undefined>>();
  /** Bumped on every eviction of a tid, so a load can tell it was overtaken. */
  readonly #epochs = new Map<string, number>();
  /** Requests' tenant lookups (counted by tenant resolution): answered from the cache, or loaded (exported as metrics). */
  readonly stats = { hits: 0, misses: 0 };

  constructor(db: Db, masterKey: MasterKey, options: { max: number }) {
    this.#db = db;
    this.#masterKey = masterKey;
    this.#cache = new LRUCache<string, TenantContext>({ max: options.max });
  }

  /** The cached context, or undefined on a miss (then call `load`). */
  peek(tid: string): TenantContext | undefined {
    return this.#cache.get(tid);
  }

  load(tid: string): Promise<TenantContext | undefined> {
    const pending = this.#loading.get(tid);
    if (pending) return pending;
    const epoch = this.#epochs.get(tid) ?? 0;
    const promise = this.#read(tid)
      .then((context) => {
        if (context && (this.#epochs.get(tid) ?? 0) === epoch) this.#cache.set(tid, context);
        return context;
      })
      .finally(() => {
        if (this.#loading.get(tid) === promise) this.#loading.delete(tid);
      });
    this.#loading.set(tid, promise);
    return promise;
  }

  evict(tid: string): void {
    this.#epochs.set(tid, (this.#epochs.get(tid) ?? 0) + 1);
    this.#loading.delete(tid);
    this.#cache.delete(tid);
  }

  cachedTids(): string[] {
    return [...this.#cache.keys()];
  }

  get size(): number {
    return this.#cache.size;
  }

  async #read(tid: string): Promise<TenantContext | undefined> {
    const [tenant, keys, tokens, secrets] = await Promise.all([
      loadTenant(this.#db, tid),
      publishedKeys(this.#db, tid),
      unrevokedApiTokenHashes(this.#db, tid),
      openTenantSecrets(this.#db, this.#masterKey, tid),
    ]);
    if (!tenant) return undefined;
    return new TenantContext(tenant, keys, tokens, secrets);
  }
}
