import { randomBytes } from 'node:crypto';
import { loadTemporalSettings, type TemporalSettings } from '@tessera/control-plane/temporal/temporal-settings';

/**
 * Temporal settings for one test harness: the run's dev server
 * (TEMPORAL_ADDRESS), the workflow bundle built once per run, a task-queue
 * prefix of its own (so each file's workflows run on its own workers, with its
 * own faults) and short timeouts, so a killed worker is noticed in seconds.
 */
export function testTemporalSettings(
  smokeCheckUrl: string,
  overrides: Partial<TemporalSettings['timings']> = {},
): TemporalSettings {
  const base = loadTemporalSettings();
  return {
    ...base,
    taskQueuePrefix: `test-${randomBytes(4).toString('hex')}-`,
    smokeCheckUrl,
    stickyTimeoutMs: 1000,
    timings: {
      activityTimeoutMs: 60_000,
      heartbeatTimeoutMs: 3000,
      retryIntervalMs: 200,
      maxAttempts: 10,
      ...overrides,
    },
  };
}

/** The environment of a worker or control-plane process that shares these settings. */
export function temporalEnv(settings: TemporalSettings): NodeJS.ProcessEnv {
  return {
    TEMPORAL_TASK_QUEUE_PREFIX: settings.taskQueuePrefix,
    TESSERA_SMOKE_CHECK_URL: settings.smokeCheckUrl,
    TEMPORAL_STICKY_TIMEOUT_MS: String(settings.stickyTimeoutMs),
    TESSERA_ACTIVITY_TIMEOUT_MS: String(settings.timings.activityTimeoutMs),
    TESSERA_ACTIVITY_HEARTBEAT_MS: String(settings.timings.heartbeatTimeoutMs),
    TESSERA_ACTIVITY_RETRY_MS: String(settings.timings.retryIntervalMs),
    TESSERA_ACTIVITY_MAX_ATTEMPTS: String(settings.timings.maxAttempts),
  };
}
