import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { WorkflowTimings } from './types.ts';

/** Activities of a workflow step: retried on transient failures up to `maxAttempts`. */
export function steps(timings: WorkflowTimings) {
  return proxyActivities<Activities>({
    startToCloseTimeout: timings.activityTimeoutMs,
    heartbeatTimeout: timings.heartbeatTimeoutMs,
    retry: { initialInterval: timings.retryIntervalMs, backoffCoefficient: 2, maximumInterval: timings.retryIntervalMs * 10, maximumAttempts: timings.maxAttempts },
  });
}

/** Activities that undo or finish what was started: retried until they succeed (they are idempotent). */
export function cleanups(timings: WorkflowTimings) {
  return proxyActivities<Activities>({
    startToCloseTimeout: timings.activityTimeoutMs,
    heartbeatTimeout: timings.heartbeatTimeoutMs,
    retry: { initialInterval: timings.retryIntervalMs, backoffCoefficient: 2, maximumInterval: timings.retryIntervalMs * 20 },
  });
}
