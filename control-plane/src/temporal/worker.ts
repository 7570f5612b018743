import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerInterceptors } from '@temporalio/worker';
import type { ActivityDeps } from '../activities/deps.ts';
import { createActivities } from '../activities/index.ts';
import type { TestFault } from '../activities/test-faults.ts';
import { WORKFLOWS_PATH } from './bundle.ts';
import { taskQueue } from './task-queues.ts';
import { connectionOptions } from './temporal-connection.ts';
import type { TemporalSettings } from './temporal-settings.ts';

let runtimeInstalled = false;

/**
 * The SDK logs at WARN and above (ERROR under tests, where injected faults
 * would fill the output with expected activity failures); once per process
 * (Runtime.install refuses a second call).
 */
function installRuntime(prometheusAddress: string | undefined): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: new DefaultLogger(process.env.NODE_ENV === 'test' ? 'ERROR' : 'WARN'),
      // The SDK's runtime metrics by Prometheus conventions (seconds, `_total`), served by worker-metrics.ts.
      ...(prometheusAddress
        ? {
            telemetryOptions: {
              metrics: {
                prometheus: {
                  bindAddress: prometheusAddress,
                  countersTotalSuffix: true,
                  useSecondsForDurations: true,
                  unitSuffix: true,
                },
              },
            },
          }
        : {}),
    });
  } catch {
    // already installed by someone else in this process: theirs stays
  }
}

export interface RunningWorkers {
  /** Resolves when every worker has stopped (after `shutdown`, or on a fatal error). */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The control plane's Temporal workers, one per task queue (today: `tenants`,
 * which runs tenant provisioning and deprovisioning). A new concern adds a
 * queue in task-queues.ts and a `Worker.create` here.
 */
export async function startWorkers(options: {
  settings: TemporalSettings;
  deps: ActivityDeps;
  faults?: readonly TestFault[];
  /** Activities run at once. Each holds at most one database connection for long and needs one more briefly: keep it below the pool size. */
  maxConcurrentActivities?: number;
  /** Metrics (worker-metrics.ts): the activity interceptors, and where the SDK exports its own. */
  metrics?: { interceptors: WorkerInterceptors; temporalPrometheusAddress?: string };
}): Promise<RunningWorkers> {
  installRuntime(options.metrics?.temporalPrometheusAddress);
  const { settings, deps } = options;
  const connection = await NativeConnection.connect(connectionOptions(settings));
  const tenants = await Worker.create({
    connection,
    namespace: settings.namespace,
    taskQueue: taskQueue('tenants', settings.taskQueuePrefix),
    ...(settings.workflowBundlePath
      ? { workflowBundle: { codePath: settings.workflowBundlePath } }
      : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(deps, options.faults ?? []),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? 4,
    stickyQueueScheduleToStartTimeout: settings.stickyTimeoutMs,
    shutdownGraceTime: '5s',
    ...(options.metrics ? { interceptors: options.metrics.interceptors } : {}),
  });
  // Scheduled key rotations (temporal/key-rotation-schedule.ts): mostly timers, a few HSM calls.
  const keys = await Worker.create({
    connection,
    namespace: settings.namespace,
    taskQueue: taskQueue('keys', settings.taskQueuePrefix),
    ...(settings.workflowBundlePath
      ? { workflowBundle: { codePath: settings.workflowBundlePath } }
      : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(deps, options.faults ?? []),
    maxConcurrentActivityTaskExecutions: 2,
    stickyQueueScheduleToStartTimeout: settings.stickyTimeoutMs,
    shutdownGraceTime: '5s',
    ...(options.metrics ? { interceptors: options.metrics.interceptors } : {}),
  });
  const workers = [tenants, keys];
  const done = Promise.all(workers.map((w) => w.run())).then(
    () => connection.close(),
    async (err: unknown) => {
      await connection.close().catch(() => undefined);
      throw err;
    },
  );
  return {
    done,
    async shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
  };
}
