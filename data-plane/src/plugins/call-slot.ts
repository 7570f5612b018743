import { HttpError } from '@tessera/shared/http/errors';
import { SLOTS_BY_NAME, type SlotName } from '@tessera/shared/plugins/slots/index';
import type { WebhookInvoker } from '../ports/webhook-invoker.ts';

/** A slot configured as a webhook. */
export interface WebhookTargetConfig {
  type: 'webhook';
  url: string;
  timeoutMs?: number;
}

/**
 * Call a tenant's webhook for a slot and apply the slot's failure rule
 * (shared/src/plugins/slot.ts): the answer's JSON object; undefined when
 * the call failed and the slot fails open (go on as if not configured);
 * a 503 temporarily_unavailable when it fails closed — the public
 * description names the slot, the private detail says what happened.
 */
export async function callWebhookSlot(
  invoker: WebhookInvoker,
  tid: string,
  slotName: SlotName,
  target: WebhookTargetConfig,
  payload: Record<string, unknown>,
): Promise<Record<string, unknown> | undefined> {
  const slot = SLOTS_BY_NAME.get(slotName)!;
  const result = await invoker.invoke({
    tid,
    slot: slotName,
    url: target.url,
    timeoutMs: target.timeoutMs ?? slot.timeoutMs,
    payload,
    idempotent: slot.idempotent,
  });
  if (result.ok) return result.body;
  if (slot.failure === 'open') return undefined;
  throw new HttpError(503, 'temporarily_unavailable', `The tenant's ${slot.title.toLowerCase()} is unavailable`, {
    headers: { 'cache-control': 'no-store', 'retry-after': result.failure === 'circuit_open' ? '30' : '5' },
    detail: `${slotName} webhook ${result.failure}: ${result.detail}`,
  });
}
