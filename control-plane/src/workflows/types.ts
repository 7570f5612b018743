import type { CheckedTenantInput } from '../tenants/tenant-input.ts';

/*
 * What workflows take and return. Type-only imports: this file is part of the
 * workflow bundle, which must not pull in Node code. Everything here lands in
 * Temporal's history, so it never holds a secret (the API token is a SHA-256).
 */

/** Timeouts and retries of activities, set by whoever starts the workflow (tests use short ones). */
export interface WorkflowTimings {
  activityTimeoutMs: number;
  /** A worker that dies mid-activity is noticed after this long and the activity is retried elsewhere. */
  heartbeatTimeoutMs: number;
  retryIntervalMs: number;
  /** Attempts of a transient failure before the step counts as failed for good. */
  maxAttempts: number;
}

/** A checked create request: config with its defaults filled, plan known. */
export type TenantSpec = CheckedTenantInput;

export interface ProvisionTenantInput {
  tenant: TenantSpec;
  /** SHA-256 (hex) of the first integration API token; the token itself was shown to the caller only. */
  apiTokenSha256: string;
  timings: WorkflowTimings;
  /** Who asked (the audit log's actor: `operator`, `admin:<jti>`); absent in runs from before it was added. */
  actor?: string;
}

export type ProvisionTenantResult =
  | { status: 'active' }
  /** `code` is the failing activity's error type (e.g. `issuer_taken`); `reason` is stored on the tenant; `step` names the step (absent in runs from before it was added). */
  | { status: 'failed'; code: string; reason: string; step?: string };

export interface DeprovisionTenantInput {
  tid: string;
  timings: WorkflowTimings;
  /** Who asked (the audit log's actor); absent in runs from before it was added. */
  actor?: string;
}

export interface BillingGraceInput {
  tid: string;
  /** When the grace period of the unpaid invoice ends (epoch ms). */
  graceUntilMs: number;
  timings: WorkflowTimings;
}
