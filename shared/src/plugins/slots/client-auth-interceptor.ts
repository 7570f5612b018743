import type { SlotDefinition } from '../slot.ts';
import { listenerConfig } from '../webhook-target.ts';

/** Client authentication interceptor. */
export const clientAuthInterceptor = {
  name: 'clientAuthInterceptor',
  title: 'Client authentication interceptor',
  available: true,
  failure: 'open',
  idempotent: false,
  timeoutMs: 5000,
  events: ['client.authenticated', 'client.authentication_failed'],
  schema: listenerConfig(),
} as const satisfies SlotDefinition;
