import { Type } from '@sinclair/typebox';
import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';

/**
 * Built-in: software statements (RFC 7591 §2.3). A statement signed by one
 * of the trusted issuers (their public JWK set given here) has its claims
 * take precedence over the same members sent in the request; `required`
 * refuses a registration without one.
 */
export const SoftwareStatements = Type.Object(
  {
    type: Type.Literal('builtin'),
    required: Type.Boolean({ default: false }),
    issuers: Type.Array(
      Type.Object(
        {
          iss: Type.String({ minLength: 1, maxLength: 512 }),
          jwks: Type.Object({ keys: Type.Array(Type.Object({}, { additionalProperties: true }), { minItems: 1 }) }),
        },
        { additionalProperties: false },
      ),
      { default: [], maxItems: 20 },
    ),
  },
  { additionalProperties: false },
);

/** Intercepts requests at the client registration endpoint (software statements and other signed requests). */
export const registrationInterceptor = {
  name: 'registrationInterceptor',
  title: 'Client registration interceptor',
  available: true,
  failure: 'closed',
  idempotent: true,
  timeoutMs: 2000,
  schema: slotConfig(SoftwareStatements),
} as const satisfies SlotDefinition;
