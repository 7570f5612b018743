import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';

/** Client authentication interceptor. */
export const clientAuthInterceptor = {
  name: 'clientAuthInterceptor',
  title: 'Client authentication interceptor',
  available: true,
  failure: 'open',
  idempotent: false,
  timeoutMs: 5000,
  events: ['client.authenticated', 'client.authentication_failed'],
  schema: slotConfig(),
} as const satisfies SlotDefinition;
