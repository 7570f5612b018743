import type { AnyRequest } from './core-request.ts';
import type { Exchange } from './exchange.ts';
import type { Step } from './step.ts';

/** A step that runs only when `applies` says so (a bearer caller skips client authentication). */
export function when<S, R extends AnyRequest>(applies: (x: Exchange<S, R>) => boolean, inner: Step<S, R>): Step<S, R> {
  return { name: inner.name, run: (x) => (applies(x) ? inner.run(x) : undefined) };
}
