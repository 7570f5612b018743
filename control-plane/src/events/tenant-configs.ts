import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import type { Db } from '@tessera/shared/db/database';
import { loadTenant } from '@tessera/shared/tenancy/tenant-reader';
import { LRUCache } from 'lru-cache';

/**
 * Tenants' current configs as the relay reads them: from PostgreSQL, kept
 * `ttlMs` (default 5 s), so a burst of one tenant's events costs one read
 * and a config change reaches deliveries within seconds. A tenant that is
 * gone is null (its events are audited, not delivered).
 */
export class TenantConfigs {
  readonly #db: Db;
  // Boxed: lru-cache keeps no null values, and a gone tenant is worth remembering too.
  readonly #cache: LRUCache<string, { config: TenantConfig | null }>;

  constructor(db: Db, options: { ttlMs?: number; max?: number } = {}) {
    this.#db = db;
    this.#cache = new LRUCache({ max: options.max ?? 10_000, ttl: options.ttlMs ?? 5000 });
  }

  async get(tid: string): Promise<TenantConfig | null> {
    const hit = this.#cache.get(tid);
    if (hit) return hit.config;
    const config = (await loadTenant(this.#db, tid))?.config ?? null;
    this.#cache.set(tid, { config });
    return config;
  }
}
