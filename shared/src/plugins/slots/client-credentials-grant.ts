import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';

/** Client credentials grant handler. */
export const clientCredentialsGrant = {
  name: 'clientCredentialsGrant',
  title: 'Client credentials grant handler',
  available: true,
  failure: 'closed',
  idempotent: true,
  timeoutMs: 2000,
  schema: slotConfig(),
} as const satisfies SlotDefinition;
