import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';

/** Device SSO handler. */
export const deviceSsoHandler = {
  name: 'deviceSsoHandler',
  title: 'Device SSO handler',
  available: false,
  unavailableReason: 'device SSO is not built yet',
  failure: 'closed',
  idempotent: false,
  timeoutMs: 2000,
  schema: slotConfig(),
} as const satisfies SlotDefinition;
