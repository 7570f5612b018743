import { Type } from '@sinclair/typebox';
import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';

/** Built-in: redirect URIs only on these hosts (exact host names), and members a registration must carry. */
export const MetadataRules = Type.Object(
  {
    type: Type.Literal('builtin'),
    redirectUriHosts: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { uniqueItems: true, maxItems: 100 }),
    ),
    requiredMembers: Type.Optional(
      Type.Array(Type.String({ pattern: '^[a-z_]{1,64}$' }), { uniqueItems: true, maxItems: 20 }),
    ),
  },
  { additionalProperties: false },
);

/** Further validation or shaping of client metadata after the standard checks. */
export const clientMetadataValidator = {
  name: 'clientMetadataValidator',
  title: 'Client metadata validator',
  available: true,
  failure: 'closed',
  idempotent: true,
  timeoutMs: 2000,
  schema: slotConfig(MetadataRules),
} as const satisfies SlotDefinition;
