import type { SlotName } from '@tessera/shared/plugins/slots/index';
import type { WebhookFailure, WebhookInvoker } from './webhook-invoker.ts';

/** One call of an operator's module (self-hosted only) on the request path. */
export interface ModuleCall {
  tid: string;
  slot: SlotName;
  /** The config's `module`: an absolute path or file: URL. */
  module: string;
  timeoutMs: number;
  /** The slot's documented JSON payload, as a webhook would get it. */
  payload: Record<string, unknown>;
}

/** Why a module call failed, beyond what a webhook call can. */
export type ModuleFailure =
  | 'off' // this data plane does not run modules (TESSERA_PLUGIN_MODULES=off)
  | 'load' // the file could not be imported or has no default export with call()
  | 'threw'; // call() threw or rejected

export type SlotFailure = WebhookFailure | ModuleFailure;

export type SlotResult =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; failure: SlotFailure; status?: number; detail: string };

/**
 * Calls a slot's target: a tenant's webhook (`invoke`, the WebhookInvoker
 * contract), or an operator's module (`invokeModule`). Neither throws; each
 * failure is a result, and the slot's failure rule (plugins/call-slot.ts)
 * decides what follows.
 */
export interface SlotInvoker extends WebhookInvoker {
  invokeModule(call: ModuleCall): Promise<SlotResult>;
}
