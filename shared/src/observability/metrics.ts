import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface HttpMetrics {
  registry: Registry;
}

/**
 * Prometheus metrics for one fastify instance: request count labelled by
 * tenant (`-` where none applies), route pattern, method and status, and
 * latency by route and method. Route patterns, not raw paths, keep label
 * cardinality bounded.
 */
export function installHttpMetrics(
  app: FastifyInstance,
  options: { prefix: string; tenantOf: (request: FastifyRequest) => string },
): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: `${options.prefix}_` });
  const requests = new Counter({
    name: `${options.prefix}_http_requests_total`,
    help: 'HTTP requests served',
    labelNames: ['tenant', 'route', 'method', 'status'] as const,
    registers: [registry],
  });
  // Latency is per route, not per tenant: a histogram per tenant would multiply
  // the series (and the per-request work) by the bucket count.
  const duration = new Histogram({
    name: `${options.prefix}_http_request_duration_seconds`,
    help: 'HTTP request duration',
    labelNames: ['route', 'method'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  app.addHook('onResponse', (request, reply, done) => {
    const tenant = options.tenantOf(request);
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ tenant, route, method: request.method, status: String(reply.statusCode) });
    duration.observe({ route, method: request.method }, reply.elapsedTime / 1000);
    done();
  });
  return { registry };
}
