import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';

/** Web SSO eligibility checker. */
export const webSsoEligibility = {
  name: 'webSsoEligibility',
  title: 'Web SSO eligibility checker',
  available: true,
  failure: 'closed',
  idempotent: true,
  timeoutMs: 1000,
  schema: slotConfig(),
} as const satisfies SlotDefinition;
