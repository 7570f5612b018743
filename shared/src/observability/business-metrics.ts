import type { Registry } from 'prom-client';
import { registerCallbackCounter } from './callback-counter.ts';
import { LabelledCounts } from './labelled-counts.ts';
import { LatencyHistogram, type LatencySeries } from './latency-histogram.ts';
import type { TenantLabels } from './tenant-labels.ts';

export type SignInResult = 'success' | 'invalid_credentials' | 'throttled';
export type ConsentDecision = 'given' | 'denied';
export type CacheName = 'tenant' | 'client';

/** Hit and miss counts a cache keeps in plain numbers (read when scraped). */
export interface CacheStats {
  hits: number;
  misses: number;
}

/**
 * The data plane's business metrics (docs/observability.md, "Metrics"):
 * tokens issued by grant, sign-ins by result, consents, key signing latency
 * and errors by backend, cache hits and misses, and how long a tenant change
 * took from publish to apply. Tenant labels only from resolved tenants,
 * capped per node (tenant-labels.ts); every other label is a closed set.
 */
export class BusinessMetrics {
  readonly #tenants: TenantLabels;
  readonly #tokens = new LabelledCounts();
  readonly #signIns = new LabelledCounts();
  readonly #consents = new LabelledCounts();
  readonly #signErrors = new LabelledCounts();
  readonly #signLatency: LatencyHistogram;
  readonly #signSeries = new Map<string, LatencySeries>();
  readonly #changeLag: LatencySeries;
  readonly #caches = new Map<CacheName, CacheStats>();

  constructor(registry: Registry, tenants: TenantLabels) {
    this.#tenants = tenants;
    const counter = (name: string, help: string, counts: LabelledCounts) =>
      registerCallbackCounter(registry, { name, help, read: () => counts.values() });
    counter('tessera_tokens_issued_total', 'Token responses issued, by tenant and grant type', this.#tokens);
    counter(
      'tessera_sign_ins_total',
      'Sign-ins, by tenant and result (success: a subject authenticated by any method; failures: the hosted login password check)',
      this.#signIns,
    );
    counter('tessera_consents_total', 'Consent decisions, by tenant and decision (given or denied)', this.#consents);
    counter('tessera_key_sign_errors_total', 'Failed signing operations, by key backend', this.#signErrors);
    registerCallbackCounter(registry, {
      name: 'tessera_cache_requests_total',
      help: 'Cache lookups on the request path, by cache (tenant, client) and result (hit, miss)',
      read: () =>
        [...this.#caches].flatMap(([cache, stats]) => [
          { labels: { cache, result: 'hit' }, value: stats.hits },
          { labels: { cache, result: 'miss' }, value: stats.misses },
        ]),
    });
    this.#signLatency = new LatencyHistogram({
      name: 'tessera_key_sign_duration_seconds',
      help: 'Signing operation duration, by key backend (software, pkcs11)',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    });
    this.#changeLag = new LatencyHistogram({
      name: 'tessera_tenant_change_lag_seconds',
      help: 'Time from a tenant change being published to this node applying it',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }).series({});
  }

  tokenIssued(tid: string, grantType: string): void {
    const tenant = this.#tenants.of(tid);
    this.#tokens.add(`${tenant} ${grantType}`, () => ({ tenant, grant_type: grantType }));
  }

  signIn(tid: string, result: SignInResult): void {
    const tenant = this.#tenants.of(tid);
    this.#signIns.add(`${tenant} ${result}`, () => ({ tenant, result }));
  }

  consent(tid: string, decision: ConsentDecision): void {
    const tenant = this.#tenants.of(tid);
    this.#consents.add(`${tenant} ${decision}`, () => ({ tenant, decision }));
  }

  /** One signing operation of a backend: its duration, and whether it failed. */
  keySign(backend: string, seconds: number, ok: boolean): void {
    let series = this.#signSeries.get(backend);
    if (!series) this.#signSeries.set(backend, (series = this.#signLatency.series({ backend })));
    series.observe(seconds);
    if (!ok) this.#signErrors.add(backend, () => ({ backend }));
  }

  /** A cache whose plain counts are exported (the cache counts; nothing is done per lookup here). */
  cache(name: CacheName, stats: CacheStats): void {
    this.#caches.set(name, stats);
  }

  tenantChangeApplied(lagSeconds: number): void {
    this.#changeLag.observe(Math.max(0, lagSeconds));
  }
}
