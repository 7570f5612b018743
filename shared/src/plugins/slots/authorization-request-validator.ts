import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';
import { RequestRules } from './request-rules.ts';

/** Further validation (and optional modification) of authorisation requests. */
export const authorizationRequestValidator = {
  name: 'authorizationRequestValidator',
  title: 'Authorisation request validator',
  available: true,
  failure: 'closed',
  idempotent: true,
  timeoutMs: 2000,
  schema: slotConfig(RequestRules),
} as const satisfies SlotDefinition;
