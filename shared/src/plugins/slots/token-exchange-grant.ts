import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';

/**
 * Token exchange grant handler: after Tessera verified the subject (and
 * actor) token and the tenant's policy let the client exchange, decides
 * the exchange and shapes the issued token (never wider).
 */
export const tokenExchangeGrant = {
  name: 'tokenExchangeGrant',
  title: 'Token exchange grant handler',
  available: true,
  failure: 'closed',
  idempotent: true,
  timeoutMs: 2000,
  schema: slotConfig(),
} as const satisfies SlotDefinition;
