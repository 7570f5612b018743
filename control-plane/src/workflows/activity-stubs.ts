import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { WorkflowTimings } from './types.ts';

/** Activities of a workflow step: retried on transient failures up to `maxAttempts`. */
export function steps(timings: WorkflowTimings) {
  return proxyActivities<Activities>({
    startToCloseTimeout: timings.activityTimeoutMs,
    heartbeatTimeout: timings.heartbeatTimeoutMs,
    retry: {
      initialInterval: timings.retryIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: timings.retryIntervalMs * 10,
      maximumAttempts: timings.maxAttempts,
    },
  });
}

/**
 * Short steps (milliseconds: a row, a message, an HTTP GET; never HSM work)
 * as local activities: run by the worker that runs the workflow, without a
 * trip through the task queue, so a tenant whose keys are done is not queued
 * behind every other tenant's key generation. Retried like `steps`.
 */
export function quickSteps(timings: WorkflowTimings) {
  return proxyLocalActivities<Activities>({
    startToCloseTimeout: timings.activityTimeoutMs,
    retry: {
      initialInterval: timings.retryIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: timings.retryIntervalMs * 10,
      maximumAttempts: timings.maxAttempts,
    },
  });
}

/** Activities that undo or finish what was started: retried until they succeed (they are idempotent). */
export function cleanups(timings: WorkflowTimings) {
  return proxyActivities<Activities>({
    startToCloseTimeout: timings.activityTimeoutMs,
    heartbeatTimeout: timings.heartbeatTimeoutMs,
    retry: {
      initialInterval: timings.retryIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: timings.retryIntervalMs * 20,
    },
  });
}

/** The same stubs, remembering the name of the last one called (to say which step failed). */
export function tracked<T extends object>(stubs: T, last: { step: string }): T {
  return new Proxy(stubs, {
    get(target, prop, receiver) {
      if (typeof prop === 'string') last.step = prop;
      return Reflect.get(target, prop, receiver);
    },
  });
}
