import { Type } from '@sinclair/typebox';
import type { SlotDefinition } from '../slot.ts';

/**
 * Built-in: how client secrets are kept. `sealed` (the default: encrypted
 * under the master key, so client_secret_jwt works) or `hashed` (a one-way
 * hash: client_secret_jwt is refused for such clients).
 */
export const SecretEncoding = Type.Object(
  { type: Type.Literal('builtin'), encoding: Type.Union([Type.Literal('sealed'), Type.Literal('hashed')]) },
  { additionalProperties: false },
);

/**
 * Hashes or encrypts client secrets before they are stored. Built-in only:
 * the server needs a sealed secret back (client_secret_jwt, HMAC-signed and
 * secret-encrypted JWTs), and a webhook holding it would hand every secret
 * to a third party on every authentication (docs/plugins/client-secret-codec.md).
 */
export const clientSecretCodec = {
  name: 'clientSecretCodec',
  title: 'Client secret store codec',
  available: true,
  failure: 'closed',
  idempotent: true,
  timeoutMs: 1000,
  schema: SecretEncoding,
} as const satisfies SlotDefinition;
