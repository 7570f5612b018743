/** One migration per tenant at a time: the workflow id is derived from the tid; a run id names one migration. */
export const migrationWorkflowId = (tid: string): string => `migrate-issuer:${tid}`;
