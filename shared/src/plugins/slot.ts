import type { TSchema } from '@sinclair/typebox';

/**
 * What happens when a slot's webhook fails (times out, answers 5xx or
 * nonsense, or its circuit is open): `closed` refuses the request with a
 * clear error (temporarily_unavailable / 503); `open` goes on as if the slot
 * were not configured. Fixed per slot and documented (docs/plugins/).
 */
export type FailureRule = 'open' | 'closed';

/**
 * One plugin slot: a point where a tenant plugs its own logic into the
 * provider (Connect2id's integration interfaces). Each slot is one file in
 * slots/, registered in slots/index.ts; the tenant config's `plugins`
 * member, its validator, the data plane's slot runner and the docs all read
 * this table.
 */
export interface SlotDefinition {
  /** The config member under `plugins` (camelCase). */
  readonly name: string;
  /** Connect2id's name of the interface. */
  readonly title: string;
  /**
   * Whether the product can run the slot today. A slot whose grant or
   * feature is not built is defined (its shape validated) but refused by
   * the config check until the feature lands.
   */
  readonly available: boolean;
  /** Why not, when not available (shown by the config check). */
  readonly unavailableReason?: string;
  readonly failure: FailureRule;
  /** Whether a webhook call may be retried (it changes nothing at the receiver). */
  readonly idempotent: boolean;
  /** Default per-call timeout of the webhook, milliseconds. */
  readonly timeoutMs: number;
  /**
   * Event-listener slots are never called on the request path: their
   * events go through the outbox and BullMQ (shared/src/events/).
   */
  readonly events?: readonly string[];
  /** The slot's config: one of its built-ins or the webhook target (a TypeBox union). */
  readonly schema: TSchema;
}
