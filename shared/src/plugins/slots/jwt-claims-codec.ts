import { Type } from '@sinclair/typebox';
import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';

const ClaimName = Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$' });

/**
 * Built-in: rename claims of self-contained (JWT) access tokens, e.g.
 * `{"cid": "client_id", "scp": "scope"}`, and choose how the scope is
 * written (`scp` is an array; RFC 9068's `scope` a space-separated string).
 */
export const JwtClaimsRenaming = Type.Object(
  {
    type: Type.Literal('builtin'),
    rename: Type.Record(ClaimName, ClaimName, { default: {} }),
    scopeFormat: Type.Optional(Type.Union([Type.Literal('array'), Type.Literal('string')])),
  },
  { additionalProperties: false },
);

/** How the claims of JWT access tokens are encoded (and decoded for introspection). */
export const jwtClaimsCodec = {
  name: 'jwtClaimsCodec',
  title: 'Self-contained access token claims codec',
  available: true,
  failure: 'closed',
  idempotent: true,
  timeoutMs: 1000,
  schema: slotConfig(JwtClaimsRenaming),
} as const satisfies SlotDefinition;
