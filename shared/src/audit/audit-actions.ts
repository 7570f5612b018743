/**
 * Administrative actions the control plane records (docs/audit.md), beside
 * the event types of shared/src/events/event-types.ts that the relay
 * records. Named `<thing>.<what happened>`, as the event types are.
 */
export const ADMIN_ACTIONS = [
  'tenant.created',
  'tenant.config_changed',
  'tenant.renamed',
  'tenant.suspended',
  'tenant.resumed',
  'tenant.plan_changed',
  'tenant.attrs_changed',
  'tenant.deleted',
  'tenant.provisioning_failed',
  'alias.added',
  'alias.removed',
  'issuer_migration.started',
  'issuer_migration.completion_requested',
  'issuer_migration.cancellation_requested',
  'issuer_migration.completed',
  'issuer_migration.cancelled',
  'key.rotation_requested',
  'api_token.created',
  'api_token.revoked',
  'admin_token.created',
  'admin_token.revoked',
  'plan.created',
  'plan.changed',
  'plan.deleted',
  'webhook_secret.rotated',
  'tenant_secret.set',
  'tenant_secret.deleted',
  'resource_server.created',
  'resource_server.updated',
  'resource_server.deleted',
] as const;

export type AdminAction = (typeof ADMIN_ACTIONS)[number];
