import type { Client } from '@temporalio/client';
import { taskQueue } from '../temporal/task-queues.ts';
import type { TemporalSettings } from '../temporal/temporal-settings.ts';
import { billingGraceWorkflowId } from '../workflows/ids.ts';
import type { billingGrace } from '../workflows/index.ts';

/** Starts the end of a tenant's grace period: a durable timer that outlives any process. */
export type GraceTimer = (tid: string, graceUntilMs: number) => Promise<void>;

/**
 * The grace timer as a Temporal workflow (workflows/billing-grace.ts), one
 * per tenant: a second failure while one waits joins the running one, which
 * reads the grace period from Postgres when it wakes.
 */
export function temporalGraceTimer(client: Client, settings: TemporalSettings): GraceTimer {
  return async (tid, graceUntilMs) => {
    await client.workflow.start<typeof billingGrace>('billingGrace', {
      workflowId: billingGraceWorkflowId(tid),
      taskQueue: taskQueue('tenants', settings.taskQueuePrefix),
      args: [{ tid, graceUntilMs, timings: settings.timings }],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  };
}
