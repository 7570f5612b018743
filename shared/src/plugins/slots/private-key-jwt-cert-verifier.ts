import { Type } from '@sinclair/typebox';
import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';

/**
 * Built-in: a client's private_key_jwt key must carry an X.509 chain
 * (`x5c`) that ends at one of these trust anchors (PEM) and is valid now.
 */
export const TrustAnchors = Type.Object(
  {
    type: Type.Literal('builtin'),
    trustAnchors: Type.Array(Type.String({ minLength: 64, maxLength: 16_384 }), { minItems: 1, maxItems: 20 }),
  },
  { additionalProperties: false },
);

/** Verifies qualified X.509 certificates for private_key_jwt client authentication. */
export const privateKeyJwtCertVerifier = {
  name: 'privateKeyJwtCertVerifier',
  title: 'Private key JWT certificate verifier',
  available: true,
  failure: 'closed',
  idempotent: true,
  timeoutMs: 2000,
  schema: slotConfig(TrustAnchors),
} as const satisfies SlotDefinition;
