import type { SlotName } from '@tessera/shared/plugins/slots/index';
import type { ModuleCall, SlotInvoker, SlotResult } from '../slot-invoker.ts';
import type { WebhookCall, WebhookResult } from '../webhook-invoker.ts';

/** What a scripted webhook answers: a result, or (for brevity) the body of a 200 answer. */
export type ScriptedAnswer = WebhookResult | Record<string, unknown>;

const isResult = (answer: ScriptedAnswer): answer is WebhookResult =>
  typeof answer.ok === 'boolean' && ('body' in answer || 'failure' in answer);

/**
 * A WebhookInvoker for unit tests: each slot answers what the test scripted
 * (`on(slot, call => result)`), every call is recorded, and a slot nobody
 * scripted fails as a real unreachable webhook would (`network`), so the
 * slot's failure rule is what a test sees. No HTTP, signatures or circuits:
 * those are the HttpWebhookInvoker's, tested against real servers.
 * Module targets run for real through the runner given (the data plane's
 * ModuleRunner); without one, modules are off, as in the SaaS.
 */
export class ScriptedWebhookInvoker implements SlotInvoker {
  readonly calls: WebhookCall[] = [];
  readonly moduleCalls: ModuleCall[] = [];
  readonly #modules: { run(call: ModuleCall): Promise<SlotResult> } | undefined;
  readonly #scripts = new Map<SlotName, (call: WebhookCall) => ScriptedAnswer | Promise<ScriptedAnswer>>();

  constructor(modules?: { run(call: ModuleCall): Promise<SlotResult> }) {
    this.#modules = modules;
  }

  /** Script a slot's answers (replacing an earlier script). */
  on(slot: SlotName, answer: (call: WebhookCall) => ScriptedAnswer | Promise<ScriptedAnswer>): this {
    this.#scripts.set(slot, answer);
    return this;
  }

  /** The recorded calls of one slot. */
  callsOf(slot: SlotName): WebhookCall[] {
    return this.calls.filter((c) => c.slot === slot);
  }

  async invoke(call: WebhookCall): Promise<WebhookResult> {
    this.calls.push(structuredClone(call));
    const script = this.#scripts.get(call.slot);
    if (!script) return { ok: false, failure: 'network', detail: `no script for ${call.slot}` };
    try {
      const answer = await script(call);
      return isResult(answer) ? answer : { ok: true, status: 200, body: answer };
    } catch (err) {
      // The contract: an invoker never throws.
      return { ok: false, failure: 'network', detail: `script threw: ${(err as Error).message}` };
    }
  }

  async invokeModule(call: ModuleCall): Promise<SlotResult> {
    this.moduleCalls.push(structuredClone(call));
    if (!this.#modules) return { ok: false, failure: 'off', detail: 'plugin modules are off' };
    return this.#modules.run(call);
  }
}
