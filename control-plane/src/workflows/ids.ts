/**
 * Workflow ids derived from the tid: Temporal refuses a second running
 * workflow with the same id, so two creations (or deletions) of one tenant
 * can never run at once.
 */
export const provisionWorkflowId = (tid: string): string => `provision-tenant:${tid}`;
export const deprovisionWorkflowId = (tid: string): string => `deprovision-tenant:${tid}`;
/** One grace timer per tenant: a second failure while one waits joins it. */
export const billingGraceWorkflowId = (tid: string): string => `billing-grace:${tid}`;
