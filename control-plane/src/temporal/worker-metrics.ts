import { createServer, type Server } from 'node:http';
import type { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/activity';
import type { ActivityInboundCallsInterceptor, WorkerInterceptors } from '@temporalio/worker';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export type ActivityOutcome = 'completed' | 'failed' | 'cancelled';

/** Where the worker's metrics are served, from the environment; undefined when `TESSERA_WORKER_METRICS_PORT` is unset. */
export interface WorkerMetricsSettings {
  host: string;
  port: number;
  /** Where the Temporal SDK's own Prometheus exporter listens (loopback; its text is served with ours). */
  temporalAddress: string;
}

export function loadWorkerMetricsSettings(env: NodeJS.ProcessEnv = process.env): WorkerMetricsSettings | undefined {
  const raw = env.TESSERA_WORKER_METRICS_PORT;
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65534)
    throw new Error('TESSERA_WORKER_METRICS_PORT must be a TCP port (1-65534)');
  return {
    host: env.TESSERA_WORKER_METRICS_HOST || '0.0.0.0',
    port,
    temporalAddress: env.TESSERA_WORKER_TEMPORAL_METRICS_ADDRESS || `127.0.0.1:${port + 1}`,
  };
}

/**
 * The worker's metrics: our activities (count and duration by activity name
 * and outcome, through an activity interceptor; names come from the code, a
 * closed set) and Node process metrics, with the Temporal SDK runtime's
 * metrics (workflow and activity task slots, polls, schedule-to-start
 * latency, …), which its Rust core exports on a loopback address and
 * `/metrics` here fetches, so Prometheus scrapes one target per worker.
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly #activities: Counter<'activity' | 'outcome'>;
  readonly #duration: Histogram<'activity' | 'outcome'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tessera_worker_' });
    this.#activities = new Counter({
      name: 'tessera_worker_activities_total',
      help: 'Activity executions finished by this worker, by activity name and outcome',
      labelNames: ['activity', 'outcome'] as const,
      registers: [this.registry],
    });
    this.#duration = new Histogram({
      name: 'tessera_worker_activity_duration_seconds',
      help: 'Activity execution duration, by activity name and outcome',
      labelNames: ['activity', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [this.registry],
    });
  }

  observe(activity: string, outcome: ActivityOutcome, seconds: number): void {
    this.#activities.inc({ activity, outcome });
    this.#duration.observe({ activity, outcome }, seconds);
  }

  /**
   * The event delivery queue's backlog and dead letters (docs/events.md), read
   * from BullMQ when scraped: deliveries waiting or delayed for a retry, and
   * those that used every attempt (BullMQ's failed set is the dead-letter list).
   */
  watchEventQueue(queue: { getJobCounts(...types: string[]): Promise<Record<string, number>> }): void {
    new Gauge({
      name: 'tessera_event_deliveries',
      help: 'Event deliveries in the queue, by state (waiting, delayed, active, dead_letter), all tenants',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'failed');
        this.set({ state: 'waiting' }, counts.waiting ?? 0);
        this.set({ state: 'delayed' }, counts.delayed ?? 0);
        this.set({ state: 'active' }, counts.active ?? 0);
        this.set({ state: 'dead_letter' }, counts.failed ?? 0);
      },
    });
  }

  /** The interceptors that measure every activity this worker runs. */
  interceptors(): WorkerInterceptors {
    return {
      activity: [
        (ctx: Context) => ({
          inbound: {
            execute: async (input, next) => {
              const started = performance.now();
              const done = (outcome: ActivityOutcome) =>
                this.observe(ctx.info.activityType, outcome, (performance.now() - started) / 1000);
              try {
                const result = await next(input);
                done('completed');
                return result;
              } catch (err) {
                done(err instanceof CancelledFailure ? 'cancelled' : 'failed');
                throw err;
              }
            },
          } satisfies ActivityInboundCallsInterceptor,
        }),
      ],
    };
  }

  /** Serve `GET /metrics` (ours, then the SDK's when it answers) on the configured port. */
  async listen(settings: WorkerMetricsSettings): Promise<Server> {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url !== '/metrics') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'not_found', error_description: 'GET /metrics' }));
        return;
      }
      void this.#exposition(settings.temporalAddress).then(
        (text) => {
          res.writeHead(200, { 'content-type': this.registry.contentType, 'cache-control': 'no-store' });
          res.end(text);
        },
        () => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'server_error', error_description: 'metrics could not be collected' }));
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, settings.host, () => resolve());
    });
    return server;
  }

  async #exposition(temporalAddress: string): Promise<string> {
    const ours = await this.registry.metrics();
    // The SDK's exporter may not be up yet (or failed to bind): ours are still served.
    const sdk = await fetch(`http://${temporalAddress}/metrics`, { signal: AbortSignal.timeout(2000) })
      .then((r) => (r.ok ? r.text() : ''))
      .catch(() => '');
    return sdk ? `${ours}\n${sdk}` : ours;
  }
}
