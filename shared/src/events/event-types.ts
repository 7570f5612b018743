/**
 * What the provider announces and records: each event goes to the outbox
 * in the same transaction or Redis step as the change, is delivered through
 * BullMQ to the tenant's endpoints (at least once, with a stable `id`) and
 * written to the audit log.
 */
export const EVENT_TYPES = [
  'token.issued',
  'subject.authenticated',
  'consent.given',
  'consent.denied',
  'authorization.revoked',
  'session.ended',
  'logout.delivered',
  'logout.failed',
  'client.registered',
  'client.changed',
  'client.deleted',
  'client.authenticated',
  'client.authentication_failed',
  'key.rotated',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/**
 * An event as it is delivered (the webhook body) and kept. `data` never holds
 * a secret or a token: token events carry the token's id (`jti`) or hash
 * prefix, never its value.
 */
export interface TesseraEvent {
  /** Stable id (ULID-like, time-ordered): receivers deduplicate with it. */
  id: string;
  type: EventType;
  tid: string;
  /** ISO 8601. */
  occurred_at: string;
  /** Who caused it: a subject, a client, an admin token or `system`. */
  actor?: string;
  data: Record<string, unknown>;
}
