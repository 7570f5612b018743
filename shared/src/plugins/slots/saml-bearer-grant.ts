import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';

/** SAML 2.0 bearer assertion grant handler. */
export const samlBearerGrant = {
  name: 'samlBearerGrant',
  title: 'SAML 2.0 bearer assertion grant handler',
  available: false,
  unavailableReason: 'its grant is not built yet',
  failure: 'closed',
  idempotent: true,
  timeoutMs: 2000,
  schema: slotConfig(),
} as const satisfies SlotDefinition;
