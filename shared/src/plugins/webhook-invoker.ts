import type { SlotName } from './slots/index.ts';

/** One call of a tenant's webhook on the request path. */
export interface WebhookCall {
  tid: string;
  slot: SlotName;
  url: string;
  timeoutMs: number;
  /** The slot's documented JSON payload (docs/plugins/<slot>.md). */
  payload: Record<string, unknown>;
  /** Retried (once, within the timeout budget) only when the call changes nothing at the receiver. */
  idempotent: boolean;
}

/** Why a call failed; the slot's failure rule decides what happens next. */
export type WebhookFailure =
  | 'timeout'
  | 'network' // refused, reset, DNS, TLS, or refused by the outbound (SSRF) policy
  | 'status' // a non-2xx answer
  | 'invalid_answer' // not a JSON object
  | 'circuit_open' // too many recent failures for this tenant and slot: not called at all
  | 'no_secret'; // the tenant has no webhook secret yet: never call unsigned

export type WebhookResult =
  | { ok: true; status: number; body: Record<string, unknown> }
  | { ok: false; failure: WebhookFailure; status?: number; detail: string };

/**
 * Calls tenants' webhooks: an HTTPS POST of the payload, signed with the
 * tenant's webhook secret (signature.ts), through the SSRF-guarded fetcher,
 * with a per-call timeout, retries only for idempotent calls and a circuit
 * breaker per tenant and slot.
 *
 * Contract:
 * - never throws: every failure is a WebhookResult with `ok: false` and a
 *   private `detail` (for the log, never sent to a client);
 * - a 2xx answer whose body is a JSON object is `ok`; anything else is not;
 * - the circuit of (tid, slot) opens after repeated failures and is half-open
 *   again after a reset time; calls while open fail at once (`circuit_open`);
 * - one tenant's failures never open another tenant's circuit.
 */
export interface WebhookInvoker {
  invoke(call: WebhookCall): Promise<WebhookResult>;
}
