import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';

/** Token exchange grant handler. */
export const tokenExchangeGrant = {
  name: 'tokenExchangeGrant',
  title: 'Token exchange grant handler',
  available: false,
  unavailableReason: 'its grant is not built yet',
  failure: 'closed',
  idempotent: true,
  timeoutMs: 2000,
  schema: slotConfig(),
} as const satisfies SlotDefinition;
