import { Type } from '@sinclair/typebox';
import type { SlotDefinition } from '../slot.ts';

/** Built-in: a fixed prefix before identifier access tokens (e.g. `at_`), so secret scanners can spot them. */
export const IdentifierPrefix = Type.Object(
  { type: Type.Literal('builtin'), prefix: Type.String({ pattern: '^[A-Za-z0-9_-]{1,16}$' }) },
  { additionalProperties: false },
);

/**
 * How identifier (opaque) access tokens are minted. Built-in only: an
 * identifier is looked up on every introspection, UserInfo and resource
 * request, and a webhook there would put the tenant's endpoint on each of
 * them; a webhook config is refused by the schema.
 */
export const identifierTokenCodec = {
  name: 'identifierTokenCodec',
  title: 'Identifier access token codec',
  available: true,
  failure: 'closed',
  idempotent: true,
  timeoutMs: 1000,
  schema: IdentifierPrefix,
} as const satisfies SlotDefinition;
