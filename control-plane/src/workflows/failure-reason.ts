import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/** The error type and message of the step that failed for good (what the tenant's `status_reason` says). */
export function failureReason(err: unknown): { code: string; reason: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const step = err instanceof ActivityFailure ? `${err.activityType}: ` : '';
  if (cause instanceof ApplicationFailure) return { code: cause.type ?? 'provisioning_failed', reason: `${step}${cause.message}` };
  if (cause instanceof Error) return { code: 'provisioning_failed', reason: `${step}${cause.message}` };
  return { code: 'provisioning_failed', reason: `${step}${String(cause)}` };
}
