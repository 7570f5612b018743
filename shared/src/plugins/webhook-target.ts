import { type TSchema, type TUnion, Type } from '@sinclair/typebox';

/** Bounds of a webhook's per-call timeout, milliseconds. */
export const WEBHOOK_TIMEOUT_MIN = 50;
export const WEBHOOK_TIMEOUT_MAX = 10_000;

/**
 * Any slot may be a webhook: an HTTPS POST of the slot's documented JSON
 * payload, signed with the tenant's webhook secret (signature.ts). http is
 * accepted only for loopback hosts (development); the validator says so.
 */
export const WebhookTarget = Type.Object(
  {
    type: Type.Literal('webhook'),
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'https URL the payload is POSTed to' }),
    timeoutMs: Type.Optional(
      Type.Integer({
        minimum: WEBHOOK_TIMEOUT_MIN,
        maximum: WEBHOOK_TIMEOUT_MAX,
        description: "per-call timeout in milliseconds (the slot's default when absent)",
      }),
    ),
  },
  { additionalProperties: false },
);

/** A slot's config: a webhook or one of its built-ins (typed, so `Static` of a slot's schema names its members). */
export function slotConfig<T extends TSchema[]>(
  ...builtins: T
): T extends [] ? typeof WebhookTarget : TUnion<[typeof WebhookTarget, ...T]> {
  return (builtins.length === 0 ? WebhookTarget : Type.Union([WebhookTarget, ...builtins])) as never;
}
