import { type Client, WorkflowExecutionAlreadyStartedError, type WorkflowHandle } from '@temporalio/client';
import { HttpError } from '@tessera/shared/http/errors';
import { taskQueue } from '../temporal/task-queues.ts';
import type { TemporalSettings } from '../temporal/temporal-settings.ts';
import { deprovisionWorkflowId, provisionWorkflowId } from '../workflows/ids.ts';
import type { deprovisionTenant, provisionTenant } from '../workflows/index.ts';
import type { ProvisionTenantResult, TenantSpec } from '../workflows/types.ts';

/** How long `?wait=true` waits for a workflow before answering 202 anyway. */
export const WAIT_MS = 30_000;

/** Temporal's own message (an address, a gRPC status) is logged, not sent. */
export const workflowServiceUnavailable = (err: unknown) =>
  new HttpError(503, 'temporarily_unavailable', 'The workflow service is unavailable', {
    headers: { 'retry-after': '5' },
    cause: err,
  });
const unavailable = workflowServiceUnavailable;

/**
 * Start `provisionTenant` under an id derived from the tid: while one runs,
 * a second start is refused (409), so one tid is never provisioned twice.
 */
export async function startProvisioning(
  client: Client,
  settings: TemporalSettings,
  tenant: TenantSpec,
  apiTokenSha256: string,
  actor?: string,
): Promise<WorkflowHandle<typeof provisionTenant>> {
  try {
    return await client.workflow.start<typeof provisionTenant>('provisionTenant', {
      workflowId: provisionWorkflowId(tenant.tid),
      taskQueue: taskQueue('tenants', settings.taskQueuePrefix),
      args: [{ tenant, apiTokenSha256, timings: settings.timings, ...(actor ? { actor } : {}) }],
      // A finished run (say, of a tenant since deleted) does not block a new one; a running one does.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      throw new HttpError(409, 'tenant_exists', `The tenant "${tenant.tid}" is already being created`);
    throw unavailable(err);
  }
}

/** Start (or join, when one already runs) the tenant's `deprovisionTenant`. */
export async function startDeprovisioning(
  client: Client,
  settings: TemporalSettings,
  tid: string,
  actor?: string,
): Promise<WorkflowHandle<typeof deprovisionTenant>> {
  try {
    return await client.workflow.start<typeof deprovisionTenant>('deprovisionTenant', {
      workflowId: deprovisionWorkflowId(tid),
      taskQueue: taskQueue('tenants', settings.taskQueuePrefix),
      args: [{ tid, timings: settings.timings, ...(actor ? { actor } : {}) }],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  } catch (err) {
    throw unavailable(err);
  }
}

/** `{ value }` with the workflow's result, or `undefined` when it is not done within `ms`. */
export async function resultWithin<T>(handle: { result(): Promise<T> }, ms: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    const done = handle.result().then(
      (value) => ({ value }),
      (err: unknown) => {
        throw new HttpError(502, 'workflow_failed', 'The workflow did not complete', { cause: err });
      },
    );
    return await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export type { ProvisionTenantResult };
