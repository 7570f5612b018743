import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import type { Db } from '@tessera/shared/db/database';
import { loadTenant } from '@tessera/shared/tenancy/tenant-reader';

/**
 * Tenants' current configs as the relay reads them: from PostgreSQL, kept
 * `ttlMs` (default 5 s), so a burst of one tenant's events costs one read
 * and a config change reaches deliveries within seconds. A tenant that is
 * gone is null (its events are audited, not delivered).
 */
export class TenantConfigs {
  readonly #db: Db;
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #cache = new Map<string, { config: TenantConfig | null; until: number }>();

  constructor(db: Db, options: { ttlMs?: number; max?: number } = {}) {
    this.#db = db;
    this.#ttlMs = options.ttlMs ?? 5000;
    this.#max = options.max ?? 10_000;
  }

  async get(tid: string): Promise<TenantConfig | null> {
    const now = Date.now();
    const hit = this.#cache.get(tid);
    if (hit && hit.until > now) return hit.config;
    const config = (await loadTenant(this.#db, tid))?.config ?? null;
    // Bounded without bookkeeping: a full cache starts over (it is only a few seconds of reads).
    if (this.#cache.size >= this.#max) this.#cache.clear();
    this.#cache.set(tid, { config, until: now + this.#ttlMs });
    return config;
  }
}
