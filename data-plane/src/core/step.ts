import type { CoreAnswer } from './core-answer.ts';
import type { AnyRequest, TenantRequest } from './core-request.ts';
import type { Exchange } from './exchange.ts';

/** A step answers (and so ends the route), or returns nothing and hands on to the next. */
export type StepOutcome = CoreAnswer | undefined;

/**
 * One small named step of a route: parse the parameters, authenticate the
 * client, check the grant, run it, shape the response. It may answer, add
 * response headers (`x.header`) and leave state for later steps
 * (`x.state`); it throws an HttpError to refuse. Steps are made once, when
 * the data plane is built, and run for every request of their route.
 */
export interface Step<S = object, R extends AnyRequest = TenantRequest> {
  readonly name: string;
  run(x: Exchange<S, R>): StepOutcome | Promise<StepOutcome>;
}

export function step<S = object, R extends AnyRequest = TenantRequest>(
  name: string,
  run: (x: Exchange<S, R>) => StepOutcome | Promise<StepOutcome>,
): Step<S, R> {
  return { name, run };
}

/** Whether a step (or policy) handed back a promise rather than its outcome. */
export const isPending = <T>(value: T | Promise<T>): value is Promise<T> =>
  typeof (value as { then?: unknown } | undefined)?.then === 'function';

/**
 * Run steps in order until one answers (undefined: none did). Synchronous
 * while the steps are: only a step that returns a promise costs an await
 * (a request's synchronous steps, the policies' `before` among them, take
 * no microtask hops).
 */
export function runSteps<S, R extends AnyRequest>(
  steps: readonly Step<S, R>[],
  x: Exchange<S, R>,
  from = 0,
): StepOutcome | Promise<StepOutcome> {
  for (let i = from; i < steps.length; i++) {
    const s = steps[i]!;
    x.step = s.name;
    const outcome = s.run(x);
    if (outcome === undefined) continue;
    if (isPending(outcome)) return finishSteps(steps, x, outcome, i + 1);
    return outcome;
  }
  return undefined;
}

/** The rest of `runSteps` once a step returned a promise. */
async function finishSteps<S, R extends AnyRequest>(
  steps: readonly Step<S, R>[],
  x: Exchange<S, R>,
  pending: Promise<StepOutcome>,
  next: number,
): Promise<StepOutcome> {
  let outcome = await pending;
  for (let i = next; !outcome && i < steps.length; i++) {
    const s = steps[i]!;
    x.step = s.name;
    const result = s.run(x);
    outcome = isPending(result) ? await result : result;
  }
  return outcome || undefined;
}
