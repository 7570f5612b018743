import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, collectDefaultMetrics, Registry } from 'prom-client';
import { LatencyHistogram, type LatencySeries } from './latency-histogram.ts';
import { TenantLabels } from './tenant-labels.ts';

export interface HttpMetrics {
  registry: Registry;
  /** The node's capped tenant label values (shared with the business metrics). */
  tenants: TenantLabels;
  /** Count one answered request. */
  observe(tenant: string, route: string, method: string, statusCode: number, seconds: number): void;
}

/**
 * Prometheus metrics of HTTP requests: request count labelled by tenant
 * (`-` where none applies), route pattern, method and status, and latency by
 * route and method, plus Node process metrics. Route patterns, not raw
 * paths, keep label cardinality bounded; tenant values are capped per node
 * (tenant-labels.ts: `other` beyond the cap). The caller reports each answered
 * request (`observe`): the data plane from its pipeline, the control plane
 * from a fastify hook (installHttpMetrics).
 */
export function createHttpMetrics(options: { prefix: string; tenants?: TenantLabels }): HttpMetrics {
  const registry = new Registry();
  const tenants = options.tenants ?? new TenantLabels();
  collectDefaultMetrics({ register: registry, prefix: `${options.prefix}_` });
  // Requests are counted in plain numbers per series; prom-client's counter catches up when scraped
  // (its own inc hashes the label set on every call, a measurable share of a token request).
  const pending = new Map<string, { child: { inc(n: number): void }; n: number }>();
  const requests = new Counter({
    name: `${options.prefix}_http_requests_total`,
    help: 'HTTP requests served',
    labelNames: ['tenant', 'route', 'method', 'status'] as const,
    registers: [registry],
    collect() {
      for (const series of pending.values()) {
        if (series.n > 0) series.child.inc(series.n);
        series.n = 0;
      }
    },
  });
  // Latency is per route, not per tenant: a histogram per tenant would multiply
  // the series (and the per-request work) by the bucket count.
  const duration = new LatencyHistogram({
    name: `${options.prefix}_http_request_duration_seconds`,
    help: 'HTTP request duration',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  // Each series kept by a plain string key: the label objects are built once per series, not per request.
  const timers = new Map<string, LatencySeries>();
  const observe = (tid: string, route: string, method: string, statusCode: number, seconds: number) => {
    const tenant = tenants.of(tid);
    const timerKey = `${route} ${method}`;
    const counterKey = `${tenant} ${timerKey} ${statusCode}`;
    let series = pending.get(counterKey);
    if (!series)
      pending.set(
        counterKey,
        (series = { child: requests.labels({ tenant, route, method, status: String(statusCode) }), n: 0 }),
      );
    series.n++;
    let timer = timers.get(timerKey);
    if (!timer) timers.set(timerKey, (timer = duration.series({ route, method })));
    timer.observe(seconds);
  };
  return { registry, tenants, observe };
}

/**
 * HTTP metrics for a fastify instance, reported by an `onResponse` hook. The
 * tenant label comes from `tenantOf` only for answers below 400: an id in a
 * URL that named no tenant (404) or was not allowed to be read (401, 403)
 * creates no series.
 */
export function installHttpMetrics(
  app: FastifyInstance,
  options: { prefix: string; tenantOf: (request: FastifyRequest) => string },
): HttpMetrics {
  const metrics = createHttpMetrics(options);
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observe(
      reply.statusCode < 400 ? options.tenantOf(request) : '-',
      request.routeOptions.url ?? 'unmatched',
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
  return metrics;
}
