import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';

/**
 * JWT bearer assertion grant handler: after Tessera verified the
 * assertion (trusted issuer's signature, aud, exp, jti), decides on it and
 * maps its claims to the token's subject, scope and claims.
 */
export const jwtBearerGrant = {
  name: 'jwtBearerGrant',
  title: 'JWT bearer assertion grant handler',
  available: true,
  failure: 'closed',
  idempotent: true,
  timeoutMs: 2000,
  schema: slotConfig(),
} as const satisfies SlotDefinition;
