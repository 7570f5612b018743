import { Type } from '@sinclair/typebox';
import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';

/** Built-in: extra members added to every successful token response (never replacing a standard one). */
export const ExtraMembers = Type.Object(
  {
    type: Type.Literal('builtin'),
    members: Type.Record(
      Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$' }),
      Type.Union([Type.String({ maxLength: 1024 }), Type.Number(), Type.Boolean()]),
      { maxProperties: 20 },
    ),
  },
  { additionalProperties: false },
);

/** Customises token success and error responses. */
export const customTokenResponse = {
  name: 'customTokenResponse',
  title: 'Custom token response',
  available: true,
  failure: 'open',
  idempotent: true,
  timeoutMs: 1000,
  schema: slotConfig(ExtraMembers),
} as const satisfies SlotDefinition;
