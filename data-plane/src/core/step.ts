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

/** Run steps in order until one answers (undefined: none did); a promise is awaited only when a step returns one. */
export async function runSteps<S, R extends AnyRequest>(
  steps: readonly Step<S, R>[],
  x: Exchange<S, R>,
): Promise<CoreAnswer | undefined> {
  for (const s of steps) {
    x.step = s.name;
    let outcome = s.run(x);
    if (outcome !== undefined && typeof (outcome as Promise<StepOutcome>).then === 'function') outcome = await outcome;
    if (outcome) return outcome as CoreAnswer;
  }
  return undefined;
}
