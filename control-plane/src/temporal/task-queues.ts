/**
 * One task queue per concern, so a slow concern (key rotation) never queues
 * behind another (tenant provisioning) and each can get workers of its own.
 * A deployment-wide prefix keeps test runs (and test files) apart on one
 * Temporal server. Adding a concern: one entry here and one in worker.ts.
 */
export const TASK_QUEUE_CONCERNS = ['tenants', 'keys'] as const;
export type TaskQueueConcern = (typeof TASK_QUEUE_CONCERNS)[number];

export const taskQueue = (concern: TaskQueueConcern, prefix = ''): string => `${prefix}${concern}`;
