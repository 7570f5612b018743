import type { SlotDefinition } from '../slot.ts';
import { listenerConfig } from '../webhook-target.ts';

/** Authentication and consent events. */
export const authEvents = {
  name: 'authEvents',
  title: 'Authentication and consent events',
  available: true,
  failure: 'open',
  idempotent: false,
  timeoutMs: 5000,
  events: ['subject.authenticated', 'consent.given', 'consent.denied'],
  schema: listenerConfig(),
} as const satisfies SlotDefinition;
