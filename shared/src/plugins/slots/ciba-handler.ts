import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';

/** CIBA handler. */
export const cibaHandler = {
  name: 'cibaHandler',
  title: 'CIBA handler',
  available: false,
  unavailableReason: 'the CIBA grant is not built yet',
  failure: 'closed',
  idempotent: false,
  timeoutMs: 2000,
  schema: slotConfig(),
} as const satisfies SlotDefinition;
