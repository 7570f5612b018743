import type { SlotInvoker } from '../ports/slot-invoker.ts';
import type { WebhookInvoker } from '../ports/webhook-invoker.ts';
import type { ModuleRunner } from './module-runner.ts';

/** The node's slot invoker: webhooks over HTTPS (with their circuits), modules in-process (no circuit: no network). */
export const slotInvoker = (webhooks: WebhookInvoker, modules: ModuleRunner): SlotInvoker => ({
  invoke: (call) => webhooks.invoke(call),
  invokeModule: (call) => modules.run(call),
});
