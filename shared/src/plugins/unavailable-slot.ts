import type { SlotDefinition } from './slot.ts';
import { slotConfig } from './webhook-target.ts';

/**
 * A slot whose grant or feature is not built yet: its config shape is
 * defined (a webhook or a module) and validated, but the config check
 * refuses it, saying `reason`. Fails closed with the usual 2 s timeout, so
 * nothing changes for a tenant when the feature lands.
 */
export const unavailableSlot = <const N extends string>(slot: {
  name: N;
  title: string;
  reason: string;
  idempotent: boolean;
}) =>
  ({
    name: slot.name,
    title: slot.title,
    available: false,
    unavailableReason: slot.reason,
    failure: 'closed',
    idempotent: slot.idempotent,
    timeoutMs: 2000,
    schema: slotConfig(),
  }) as const satisfies SlotDefinition;
