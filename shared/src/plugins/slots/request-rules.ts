import { Type } from '@sinclair/typebox';

/**
 * Built-in rules for authorisation and pushed authorisation requests:
 * parameters every request must carry, and scope values no request may ask for.
 */
export const RequestRules = Type.Object(
  {
    type: Type.Literal('builtin'),
    requiredParameters: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }), { uniqueItems: true, maxItems: 20 }),
    ),
    forbiddenScopes: Type.Optional(
      Type.Array(Type.String({ pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$', maxLength: 256 }), {
        uniqueItems: true,
        maxItems: 100,
      }),
    ),
  },
  { additionalProperties: false },
);
