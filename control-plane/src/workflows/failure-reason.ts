import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/**
 * The error type and message of the step that failed for good (what the
 * tenant's `status_reason` says), and the step's name. `stepName` names the
 * step when the failure does not (a local activity's failure carries no
 * activity type).
 */
export function failureReason(err: unknown, stepName?: string): { code: string; reason: string; step: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const step = (err instanceof ActivityFailure && err.activityType) || stepName || '';
  const prefix = step ? `${step}: ` : '';
  if (cause instanceof ApplicationFailure)
    return { code: cause.type ?? 'provisioning_failed', reason: `${prefix}${cause.message}`, step };
  if (cause instanceof Error) return { code: 'provisioning_failed', reason: `${prefix}${cause.message}`, step };
  return { code: 'provisioning_failed', reason: `${prefix}${String(cause)}`, step };
}
