import type { CoreAnswer } from './core-answer.ts';
import type { CoreRequest } from './core-request.ts';
import type { Exchange } from './exchange.ts';
import type { StepOutcome } from './step.ts';

/** The exchange a policy sees: any route, tenant or not, state unknown. */
export type PolicyExchange = Exchange<object, CoreRequest>;

/**
 * A cross-cutting step of the pipeline, run around the steps of every route
 * — also for requests the transport refused (a malformed body, a failed
 * schema, an unknown tenant) and for paths no route matches. `before` runs
 * first, in pipeline order, and may answer (a rate limit); `admitted` runs
 * after the route's admission steps and may answer too (a quota refusal); `after` sees
 * every answer, success or error, in reverse order, and may add headers to
 * it or record it.
 */
export interface Policy {
  readonly name: string;
  before?(x: PolicyExchange): StepOutcome | Promise<StepOutcome>;
  /**
   * Runs once the route's admission steps passed (at once for a route without
   * any), so it may answer only a caller the route has authenticated: a quota
   * refusal must not tell an anonymous caller how much a tenant has used.
   */
  admitted?(x: PolicyExchange): StepOutcome | Promise<StepOutcome>;
  after?(x: PolicyExchange, answer: CoreAnswer): void;
}
