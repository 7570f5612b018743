import type { Db } from '@tessera/shared/db/database';
import { parseTenantChange, tenantChangeChannel } from '@tessera/shared/tenancy/change-channel';
import { loadIssuerEntries } from '@tessera/shared/tenancy/tenant-reader';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { IssuerIndex } from './issuer-index.ts';
import type { TenantCache } from './tenant-cache.ts';

/**
 * Keeps this node's issuer index and tenant cache in step with Postgres:
 * a Redis pub/sub message re-reads one tenant; a full resync (at start, after
 * every Redis reconnect and on a timer) rebuilds the index and evicts every
 * cached tenant whose row changed or vanished, so missed messages heal.
 */
export class TenantSync {
  readonly #db: Db;
  readonly #subscriber: Redis;
  readonly #channel: string;
  readonly #index: IssuerIndex;
  readonly #cache: TenantCache;
  readonly #log: FastifyBaseLogger;
  readonly #resyncMs: number;
  readonly #onChange: (tid: string) => void;
  readonly #onClientChange: (tid: string, clientId: string) => void;
  readonly #onApplied: (lagMs: number) => void;
  #timer: NodeJS.Timeout | undefined;
  #connectedOnce = false;

  constructor(deps: {
    db: Db;
    subscriber: Redis;
    prefix: string;
    index: IssuerIndex;
    cache: TenantCache;
    log: FastifyBaseLogger;
    resyncMs?: number;
    /** Called for every tenant whose cached state was dropped (e.g. to forget its key handles). */
    onChange?: (tid: string) => void;
    /** Called when one client of a tenant changed. */
    onClientChange?: (tid: string, clientId: string) => void;
    /** A published change was applied on this node, `lagMs` after it was published (clocks of publisher and node). */
    onApplied?: (lagMs: number) => void;
  }) {
    this.#db = deps.db;
    this.#subscriber = deps.subscriber;
    this.#channel = tenantChangeChannel(deps.prefix);
    this.#index = deps.index;
    this.#cache = deps.cache;
    this.#log = deps.log;
    this.#resyncMs = deps.resyncMs ?? 60_000;
    this.#onChange = deps.onChange ?? (() => {});
    this.#onClientChange = deps.onClientChange ?? (() => {});
    this.#onApplied = deps.onApplied ?? (() => {});
  }

  async start(): Promise<void> {
    this.#subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.#channel) return;
      const change = parseTenantChange(message);
      if (change?.kind === 'client') {
        this.#onClientChange(change.tid, change.clientId!);
        if (change.at !== undefined) this.#onApplied(Date.now() - change.at);
      } else if (change) {
        const { at } = change;
        void this.refreshTenant(change.tid).then(() => at !== undefined && this.#onApplied(Date.now() - at));
      }
    });
    this.#subscriber.on('ready', () => {
      // ioredis re-subscribes on reconnect; whatever was published meanwhile is lost, so resync.
      if (this.#connectedOnce) void this.resync();
      this.#connectedOnce = true;
    });
    await this.#subscriber.subscribe(this.#channel);
    this.#connectedOnce = true;
    await this.resync();
    this.#timer = setInterval(() => void this.resync(), this.#resyncMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  async refreshTenant(tid: string): Promise<void> {
    try {
      const entries = await loadIssuerEntries(this.#db, tid);
      this.#index.replaceTenant(tid, entries);
      this.#evict(tid);
    } catch (err) {
      // Evict anyway: the next request reloads from Postgres; the timer fixes the index.
      this.#evict(tid);
      this.#log.warn({ err, tid }, 'tenant refresh failed');
    }
  }

  #evict(tid: string): void {
    this.#cache.evict(tid);
    this.#onChange(tid);
  }

  async resync(): Promise<void> {
    try {
      const [entries, rows] = await Promise.all([
        loadIssuerEntries(this.#db),
        this.#db.selectFrom('tenants').select(['tid', 'updated_at']).execute(),
      ]);
      this.#index.replaceAll(entries);
      const seen = new Map(rows.map((r) => [r.tid, r.updated_at.getTime()]));
      for (const tid of this.#cache.cachedTids()) {
        const cached = this.#cache.peek(tid);
        if (!cached || seen.get(tid) !== cached.tenant.updatedAt.getTime()) this.#evict(tid);
      }
    } catch (err) {
      this.#log.warn({ err }, 'tenant resync failed');
    }
  }
}
