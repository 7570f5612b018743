import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, collectDefaultMetrics, Registry } from 'prom-client';
import { LatencyHistogram, type LatencySeries } from './latency-histogram.ts';

export interface HttpMetrics {
  registry: Registry;
  /** Count one answered request. */
  observe(tenant: string, route: string, method: string, statusCode: number, seconds: number): void;
}

/**
 * Prometheus metrics of HTTP requests: request count labelled by tenant
 * (`-` where none applies), route pattern, method and status, and latency by
 * route and method, plus Node process metrics. Route patterns, not raw
 * paths, keep label cardinality bounded. The caller reports each answered
 * request (`observe`): the data plane from its pipeline, the control plane
 * from a fastify hook (installHttpMetrics).
 */
export function createHttpMetrics(options: { prefix: string }): HttpMetrics {
  const registry = new Registry();
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
  const observe = (tenant: string, route: string, method: string, statusCode: number, seconds: number) => {
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
  return { registry, observe };
}

/** HTTP metrics for a fastify instance, reported by an `onResponse` hook. */
export function installHttpMetrics(
  app: FastifyInstance,
  options: { prefix: string; tenantOf: (request: FastifyRequest) => string },
): HttpMetrics {
  const metrics = createHttpMetrics(options);
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observe(
      options.tenantOf(request),
      request.routeOptions.url ?? 'unmatched',
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
  return metrics;
}
