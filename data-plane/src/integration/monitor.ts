import {
  type HealthCheck,
  type HealthLog,
  healthReport,
  requireMonitoringToken,
} from '@tessera/shared/observability/monitor';
import type { Registry } from 'prom-client';
import { jsonAnswer, textAnswer } from '../core/core-answer.ts';
import type { CoreRequest } from '../core/core-request.ts';
import type { Endpoint } from '../core/endpoint.ts';
import { nodeRoute } from '../core/route.ts';
import { step } from '../core/step.ts';

export interface MonitorOptions {
  /** What the health check runs (PostgreSQL, Redis, the HSM). */
  checks: Record<string, HealthCheck>;
  registry: Registry;
  /** SHA-256 of the monitoring tokens; none: nobody reads the metrics (unless open). */
  tokenSha256: readonly string[];
  open: boolean;
  log: HealthLog;
}

/**
 * Monitoring (node-wide, no tenant): `/monitor/v1/live` (public; 200 while
 * the process serves requests, never touching a dependency: the liveness
 * probe), `/monitor/v1/healthcheck` (public; 200 or 503 from the checks: the
 * readiness probe) and `/monitor/v1/metrics` (Prometheus text, behind the
 * monitoring token because it names every tenant). Made by the composition root, which
 * holds the checks and the registry.
 */
export function monitorEndpoint(options: MonitorOptions): Endpoint {
  const health = step<object, CoreRequest>('healthReport', async (x) => {
    const { status, body } = await healthReport(options.checks, options.log, x.request.id);
    return jsonAnswer(body, status, { 'cache-control': 'no-store' });
  });
  // Liveness: answering at all is the proof; a PostgreSQL or Redis outage must not restart the process.
  const live = step<object, CoreRequest>('live', () =>
    jsonAnswer({ live: true }, 200, { 'cache-control': 'no-store' }),
  );
  const monitoringToken = step<object, CoreRequest>('requireMonitoringToken', (x) => {
    if (!options.open) requireMonitoringToken(x.request.headers.authorization, options.tokenSha256);
  });
  const metrics = step<object, CoreRequest>('metrics', async () =>
    textAnswer(options.registry.contentType, await options.registry.metrics(), 200, { 'cache-control': 'no-store' }),
  );
  return {
    name: 'monitor',
    area: 'monitoring',
    routes: () => [
      nodeRoute({ name: 'monitor.live', method: 'GET', path: '/monitor/v1/live', steps: [live] }),
      nodeRoute({ name: 'monitor.healthcheck', method: 'GET', path: '/monitor/v1/healthcheck', steps: [health] }),
      nodeRoute({
        name: 'monitor.metrics',
        method: 'GET',
        path: '/monitor/v1/metrics',
        steps: [monitoringToken, metrics],
      }),
    ],
  };
}
