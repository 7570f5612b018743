import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';
import { RequestRules } from './request-rules.ts';

/** Further validation (and optional modification) of pushed authorisation requests. */
export const parValidator = {
  name: 'parValidator',
  title: 'PAR validator',
  available: true,
  failure: 'closed',
  idempotent: true,
  timeoutMs: 2000,
  schema: slotConfig(RequestRules),
} as const satisfies SlotDefinition;
