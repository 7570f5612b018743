import { Type } from '@sinclair/typebox';
import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';

/**
 * Built-in: each resource server (by its client id) sees only the scope
 * values listed for it in an introspection response; a resource server not
 * listed sees the scope as it is.
 */
export const ScopeFilter = Type.Object(
  {
    type: Type.Literal('builtin'),
    scopesByResourceServer: Type.Record(
      Type.String({ minLength: 1, maxLength: 128 }),
      Type.Array(Type.String({ pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$', maxLength: 256 }), { uniqueItems: true }),
      { default: {} },
    ),
  },
  { additionalProperties: false },
);

/** Shapes the introspection (RFC 7662) response for the resource server asking. */
export const introspectionComposer = {
  name: 'introspectionComposer',
  title: 'Introspection response composer',
  available: true,
  failure: 'closed',
  idempotent: true,
  timeoutMs: 1000,
  schema: slotConfig(ScopeFilter),
} as const satisfies SlotDefinition;
