import type { SlotDefinition } from '../slot.ts';
import { listenerConfig } from '../webhook-target.ts';

/** Token issue events. */
export const tokenIssueEvents = {
  name: 'tokenIssueEvents',
  title: 'Token issue events',
  available: true,
  failure: 'open',
  idempotent: false,
  timeoutMs: 5000,
  events: ['token.issued'],
  schema: listenerConfig(),
} as const satisfies SlotDefinition;
