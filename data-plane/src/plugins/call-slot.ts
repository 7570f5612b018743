import { HttpError } from '@tessera/shared/http/errors';
import { SLOTS_BY_NAME, type SlotName } from '@tessera/shared/plugins/slots/index';
import type { SlotInvoker, SlotResult } from '../ports/slot-invoker.ts';

/** A slot configured as a webhook. */
export interface WebhookTargetConfig {
  type: 'webhook';
  url: string;
  timeoutMs?: number;
}

/** A slot configured as an operator's module (self-hosted only; shared/src/plugins/slot-module.ts). */
export interface ModuleTargetConfig {
  type: 'module';
  module: string;
  timeoutMs?: number;
}

/** A slot's target outside the provider's built-ins: the same JSON contract either way. */
export type SlotTargetConfig = WebhookTargetConfig | ModuleTargetConfig;

/**
 * Call a slot's webhook or module and apply the slot's failure rule
 * (shared/src/plugins/slot.ts): the answer's JSON object; undefined when
 * the call failed and the slot fails open (go on as if not configured);
 * a 503 temporarily_unavailable when it fails closed — the public
 * description names the slot, the private detail says what happened.
 */
export async function callSlotTarget(
  invoker: SlotInvoker,
  tid: string,
  slotName: SlotName,
  target: SlotTargetConfig,
  payload: Record<string, unknown>,
): Promise<Record<string, unknown> | undefined> {
  const slot = SLOTS_BY_NAME.get(slotName)!;
  const timeoutMs = target.timeoutMs ?? slot.timeoutMs;
  const result: SlotResult =
    target.type === 'module'
      ? await invoker.invokeModule({ tid, slot: slotName, module: target.module, timeoutMs, payload })
      : await invoker.invoke({ tid, slot: slotName, url: target.url, timeoutMs, payload, idempotent: slot.idempotent });
  if (result.ok) return result.body;
  if (slot.failure === 'open') return undefined;
  throw new HttpError(503, 'temporarily_unavailable', `The tenant's ${slot.title.toLowerCase()} is unavailable`, {
    headers: { 'cache-control': 'no-store', 'retry-after': result.failure === 'circuit_open' ? '30' : '5' },
    detail: `${slotName} ${target.type} ${result.failure}: ${result.detail}`,
  });
}
