import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';

/** JWT bearer assertion grant handler. */
export const jwtBearerGrant = {
  name: 'jwtBearerGrant',
  title: 'JWT bearer assertion grant handler',
  available: false,
  unavailableReason: 'its grant is not built yet',
  failure: 'closed',
  idempotent: true,
  timeoutMs: 2000,
  schema: slotConfig(),
} as const satisfies SlotDefinition;
