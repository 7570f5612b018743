/**
 * What a module target's default export implements (self-hosted only;
 * docs/plugins/README.md#modules-self-hosted-only): the slot's webhook
 * contract in-process. `call` gets the JSON object a webhook would be POSTed
 * (`slot`, `tenant`, then the slot's payload) and answers the JSON object
 * the webhook would answer; a throw, a non-object or no answer within the
 * slot's timeout is a failed call, and the slot's failure rule applies.
 *
 * ```ts
 * import type { SlotModule } from '@tessera/shared/plugins/slot-module';
 * export default {
 *   async call(payload) {
 *     return { claims: { email: `${payload.sub}@example.com` } };
 *   },
 * } satisfies SlotModule;
 * ```
 */
export interface SlotModule {
  call(payload: Record<string, unknown>): Promise<Record<string, unknown>> | Record<string, unknown>;
}

/** A module target's `module` must be absolute: relative to what would depend on the process's working directory. */
export function modulePathProblem(value: string): string | undefined {
  let path: string;
  if (value.startsWith('file:')) {
    try {
      const url = new URL(value);
      if (url.host !== '' || url.search || url.hash) return 'must be a file:/// URL without host, query or fragment';
      path = url.pathname;
    } catch {
      return 'must be an absolute path or a file: URL';
    }
  } else if (value.startsWith('/')) path = value;
  else return 'must be an absolute path or a file: URL';
  if (!/\.(ts|js|mjs)$/.test(path)) return 'must name a .ts, .js or .mjs file';
  return undefined;
}
