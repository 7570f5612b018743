import type { WebhookSigningSecrets } from '@tessera/shared/plugins/http-webhook-invoker';
import type { TenantSecretStore } from '@tessera/shared/plugins/tenant-secret-store';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../ports/clock.ts';
import type { TenantSecrets } from '../ports/tenant-secrets.ts';

/** Longest a node keeps a secret it read (a backstop: a change announces the tenant, which evicts at once). */
export const TENANT_SECRET_TTL_MS = 60_000;

type Source = Pick<TenantSecretStore, 'get' | 'webhookSigningSecrets'>;

/**
 * A tenant's plugin secrets per node, so a webhook call or an LDAP bind
 * does not read PostgreSQL each time. The control plane announces the
 * tenant after every secret change (tenant sync's onChange evicts here);
 * entries also expire after TENANT_SECRET_TTL_MS in case a message was
 * lost. A missing secret is remembered too (a tenant without a webhook
 * secret must not cost a query per request). Loads in flight are shared.
 */
export class CachedTenantSecrets implements TenantSecrets, WebhookSigningSecrets {
  readonly #source: Source;
  readonly #cache: LRUCache<string, Promise<unknown>>;

  /** `clock`: whose time entries expire by (default the cache's own monotonic clock). */
  constructor(source: Source, options: { max?: number; ttlMs?: number; clock?: Clock } = {}) {
    this.#source = source;
    this.#cache = new LRUCache({
      max: options.max ?? 10_000,
      ttl: options.ttlMs ?? TENANT_SECRET_TTL_MS,
      // lru-cache reads a clock through `perf`; without a resolution it asks it on every read, not once per ms.
      ...(options.clock ? { perf: options.clock, ttlResolution: 0 } : {}),
    });
  }

  get(tid: string, name: string): Promise<string | null> {
    return this.#load(`${tid}\u0000${name}`, () => this.#source.get(tid, name));
  }

  webhookSigningSecrets(tid: string): Promise<readonly string[]> {
    // \u0001 cannot start a secret name: no clash with get()'s keys.
    return this.#load(`${tid}\u0000\u0001signing`, () => this.#source.webhookSigningSecrets(tid));
  }

  /** Forget everything of one tenant (its change was announced). */
  evictTenant(tid: string): void {
    const prefix = `${tid}\u0000`;
    for (const key of [...this.#cache.keys()]) if (key.startsWith(prefix)) this.#cache.delete(key);
  }

  #load<T>(key: string, read: () => Promise<T>): Promise<T> {
    const hit = this.#cache.get(key) as Promise<T> | undefined;
    if (hit) return hit;
    const promise = read();
    this.#cache.set(key, promise);
    // A failed read is not remembered (only this promise, in case an eviction already replaced it).
    promise.catch(() => {
      if (this.#cache.get(key) === promise) this.#cache.delete(key);
    });
    return promise;
  }
}
