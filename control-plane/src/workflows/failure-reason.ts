import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/**
 * The error type and message of the step that failed for good (what the
 * tenant's `status_reason` says). `stepName` names the step when the failure
 * does not (a local activity's failure carries no activity type).
 */
export function failureReason(err: unknown, stepName?: string): { code: string; reason: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const name = (err instanceof ActivityFailure && err.activityType) || stepName;
  const step = name ? `${name}: ` : '';
  if (cause instanceof ApplicationFailure) return { code: cause.type ?? 'provisioning_failed', reason: `${step}${cause.message}` };
  if (cause instanceof Error) return { code: 'provisioning_failed', reason: `${step}${cause.message}` };
  return { code: 'provisioning_failed', reason: `${step}${String(cause)}` };
}
