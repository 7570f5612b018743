import { pathToFileURL } from 'node:url';
import type { SlotModule } from '@tessera/shared/plugins/slot-module';
import type { ModuleCall, SlotResult } from '../ports/slot-invoker.ts';
import { isObject } from './slot-answer.ts';

type Loaded = { ok: true; module: SlotModule } | { ok: false; detail: string };

const failed = (failure: 'off' | 'load' | 'threw' | 'timeout' | 'invalid_answer', detail: string): SlotResult => ({
  ok: false,
  failure,
  detail,
});

/**
 * Runs operators' plugin modules (self-hosted only): each file imported
 * once per path (a load error too, so a broken file is logged once, not on
 * every request; a fixed file needs a restart), then `call`ed with the JSON
 * a webhook would be POSTed and held to the same answer rules — a JSON
 * object within the timeout. The payload and the answer cross as JSON, so a
 * module shares no object with the request and a tenant's logic behaves
 * the same as a webhook. Never throws.
 */
export class ModuleRunner {
  readonly #allowed: boolean;
  readonly #onLoadError: (module: string, detail: string) => void;
  readonly #loaded = new Map<string, Promise<Loaded>>();

  constructor(options: { allowed: boolean; onLoadError?: (module: string, detail: string) => void }) {
    this.#allowed = options.allowed;
    this.#onLoadError = options.onLoadError ?? (() => {});
  }

  async run(call: ModuleCall): Promise<SlotResult> {
    // Stored configs stay loadable wherever they were written; running one is this node's decision.
    if (!this.#allowed) return failed('off', 'plugin modules are off (TESSERA_PLUGIN_MODULES)');
    const loaded = await this.#load(call.module);
    if (!loaded.ok) return failed('load', loaded.detail);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<SlotResult>((resolve) => {
      timer = setTimeout(() => resolve(failed('timeout', `no answer within ${call.timeoutMs} ms`)), call.timeoutMs);
    });
    try {
      // The module's own work is not cancelled by the timeout (nothing can stop it); its late answer is ignored.
      return await Promise.race([this.#answer(loaded.module, call), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #answer(module: SlotModule, call: ModuleCall): Promise<SlotResult> {
    // The webhook's body exactly: `slot` and `tenant` first, never overridden by a payload member.
    const payload = JSON.parse(
      JSON.stringify(
        Object.assign({ slot: call.slot, tenant: call.tid }, call.payload, { slot: call.slot, tenant: call.tid }),
      ),
    ) as Record<string, unknown>;
    let answer: unknown;
    try {
      answer = await module.call(payload);
    } catch (err) {
      return failed('threw', `${call.module} threw: ${err instanceof Error ? err.name : typeof err}`);
    }
    let json: unknown;
    try {
      json = answer === undefined ? undefined : JSON.parse(JSON.stringify(answer));
    } catch {
      return failed('invalid_answer', 'answered a value that is not JSON');
    }
    if (!isObject(json)) return failed('invalid_answer', 'answered JSON that is not an object');
    return { ok: true, body: json };
  }

  #load(module: string): Promise<Loaded> {
    let loaded = this.#loaded.get(module);
    if (!loaded) {
      loaded = this.#import(module);
      this.#loaded.set(module, loaded);
    }
    return loaded;
  }

  async #import(module: string): Promise<Loaded> {
    let detail: string;
    try {
      const url = module.startsWith('file:') ? module : pathToFileURL(module).href;
      const imported = (await import(url)) as { default?: unknown };
      const candidate = imported.default as Partial<SlotModule> | undefined;
      if (typeof candidate?.call === 'function') return { ok: true, module: candidate as SlotModule };
      detail = `${module} has no default export with call(payload)`;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      detail = `${module} could not be loaded: ${typeof code === 'string' ? code : (err as Error).name}`;
    }
    this.#onLoadError(module, detail);
    return { ok: false, detail };
  }
}
