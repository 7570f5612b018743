import { type TSchema, type TUnion, Type } from '@sinclair/typebox';

/** Bounds of a webhook's per-call timeout, milliseconds. */
export const WEBHOOK_TIMEOUT_MIN = 50;
export const WEBHOOK_TIMEOUT_MAX = 10_000;

/** A webhook's or module's per-call timeout. */
const TimeoutMs = Type.Optional(
  Type.Integer({
    minimum: WEBHOOK_TIMEOUT_MIN,
    maximum: WEBHOOK_TIMEOUT_MAX,
    description: "per-call timeout in milliseconds (the slot's default when absent)",
  }),
);

/**
 * Any slot may be a webhook: an HTTPS POST of the slot's documented JSON
 * payload, signed with the tenant's webhook secret (signature.ts). http is
 * accepted only for loopback hosts (development); the validator says so.
 */
export const WebhookTarget = Type.Object(
  {
    type: Type.Literal('webhook'),
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'https URL the payload is POSTed to' }),
    timeoutMs: TimeoutMs,
  },
  { additionalProperties: false },
);

/**
 * Self-hosted only: an operator's module, run in the data plane's process,
 * whose default export answers the slot's payload exactly as the webhook
 * would (`SlotModule`, slot-module.ts), so a tenant moves between the two
 * without changing its logic. Refused by the config check unless the
 * deployment allows modules (`TESSERA_PLUGIN_MODULES=allow`).
 */
export const ModuleTarget = Type.Object(
  {
    type: Type.Literal('module'),
    module: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: 'absolute path or file: URL of a .ts, .js or .mjs file whose default export has call(payload)',
    }),
    timeoutMs: TimeoutMs,
  },
  { additionalProperties: false },
);

/**
 * A slot's config: a webhook, a module or one of its built-ins (typed, so
 * `Static` of a slot's schema names its members).
 */
export function slotConfig<T extends TSchema[]>(
  ...builtins: T
): TUnion<[typeof WebhookTarget, typeof ModuleTarget, ...T]> {
  return Type.Union([WebhookTarget, ModuleTarget, ...builtins]) as never;
}

/**
 * An event-listener slot's config: a webhook only. Its events are delivered
 * by the worker through BullMQ, after the request, so there is no request
 * path in a data plane to run a module on.
 */
export const listenerConfig = (): typeof WebhookTarget => WebhookTarget;
