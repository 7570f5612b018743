import type { WorkflowTimings } from '../workflows/types.ts';
import { loadTemporalConnection, type TemporalConnection } from './temporal-connection.ts';

/** How the control plane reaches Temporal and how long its workflows wait (all from the environment). */
export interface TemporalSettings extends TemporalConnection {
  namespace: string;
  /** Prepended to every task queue name (tests use one per run or file). */
  taskQueuePrefix: string;
  /** A workflow bundle built beforehand (`bundleWorkflows`); unset = bundle at worker start. */
  workflowBundlePath: string | undefined;
  /** Where provisioning smoke-checks discovery and JWKS: a data-plane node. */
  smokeCheckUrl: string;
  /**
   * How long a workflow task waits for the worker that ran the workflow last
   * before any worker may take it; after a worker dies, each of its
   * workflows stalls this long once.
   */
  stickyTimeoutMs: number;
  timings: WorkflowTimings;
}

const ms = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive number of milliseconds`);
  return n;
};

export function loadTemporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const dataPlanePort = env.DATA_PLANE_PORT || '8080';
  return {
    // Address, TLS and API key (temporal-connection.ts): contradictory settings stop the process here.
    ...loadTemporalConnection(env),
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueuePrefix: env.TEMPORAL_TASK_QUEUE_PREFIX ?? '',
    workflowBundlePath: env.TESSERA_WORKFLOW_BUNDLE || undefined,
    smokeCheckUrl: (env.TESSERA_SMOKE_CHECK_URL || env.DATA_PLANE_URL || `http://localhost:${dataPlanePort}`).replace(
      /\/$/,
      '',
    ),
    stickyTimeoutMs: ms(env.TEMPORAL_STICKY_TIMEOUT_MS, 5000, 'TEMPORAL_STICKY_TIMEOUT_MS'),
    timings: {
      activityTimeoutMs: ms(env.TESSERA_ACTIVITY_TIMEOUT_MS, 60_000, 'TESSERA_ACTIVITY_TIMEOUT_MS'),
      heartbeatTimeoutMs: ms(env.TESSERA_ACTIVITY_HEARTBEAT_MS, 15_000, 'TESSERA_ACTIVITY_HEARTBEAT_MS'),
      retryIntervalMs: ms(env.TESSERA_ACTIVITY_RETRY_MS, 500, 'TESSERA_ACTIVITY_RETRY_MS'),
      maxAttempts: ms(env.TESSERA_ACTIVITY_MAX_ATTEMPTS, 8, 'TESSERA_ACTIVITY_MAX_ATTEMPTS'),
    },
  };
}
