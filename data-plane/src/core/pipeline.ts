import type { Tracer } from '@opentelemetry/api';
import { describeError, type ErrorReply } from '@tessera/shared/http/errors';
import type { CoreAnswer } from './core-answer.ts';
import type { CoreRequest } from './core-request.ts';
import { Exchange } from './exchange.ts';
import type { Policy, PolicyExchange } from './policy.ts';
import type { AnyRoute } from './route.ts';
import { isPending, runSteps, type Step, type StepOutcome } from './step.ts';
import { tracedSteps } from './traced-steps.ts';

/** The route an exchange was made for: the pipeline makes every exchange from a whole route (`exchange`, `run`). */
const routeOf = (x: PolicyExchange): AnyRoute => x.route as AnyRoute;

/** Where refusals with a private side and unexpected errors are reported (pino's logger is one). */
export interface PipelineLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/**
 * The one request path of the data plane, whatever the endpoint:
 *
 *   policies' `before` (in order) → the route's admission steps (headers
 *   only, before the body is read) → policies' `admitted` → the route's steps → render what was
 *   thrown (the route's error style) → policies' `after` (in reverse)
 *
 * so a policy added here (counting, metrics, no-store, and later quota,
 * metering, events, audit) applies to every route and every answer. The
 * transport runs the two phases as the request arrives (`admit` on its
 * headers, `serve` once the body is parsed) or both at once (`run`), and
 * brings the requests it refused itself (`refuse`: an unparsable body, a
 * failed schema, an unknown tenant): they pass the same policies and are
 * rendered the same way. Every exchange gets exactly one answer, and the
 * policies' `after` sees it.
 */
export class Pipeline {
  readonly policies: readonly Policy[];
  /** The policies' `before`, as steps (made once: runSteps runs them without an await unless one is pending). */
  readonly #before: readonly Step<object, CoreRequest>[];
  /** The policies' `admitted`, as steps run after each route's admission steps. */
  readonly #admitted: readonly Step<object, CoreRequest>[];
  /** Per route: its admission steps, then the policies' `admitted` (made once per route, on its first request). */
  readonly #admissionSteps = new WeakMap<AnyRoute, readonly Step<object, CoreRequest>[]>();
  readonly #after: readonly Policy[];
  readonly #log: PipelineLog;
  /** When tracing is on: each route's steps as spans (made once per route). */
  readonly #tracer: Tracer | undefined;
  readonly #tracedSteps = new WeakMap<AnyRoute, readonly Step<object, CoreRequest>[]>();

  constructor(policies: readonly Policy[], log: PipelineLog, options: { tracer?: Tracer | undefined } = {}) {
    this.policies = policies;
    this.#before = policies.flatMap((p) => (p.before ? [{ name: p.name, run: p.before.bind(p) }] : []));
    this.#admitted = policies.flatMap((p) => (p.admitted ? [{ name: p.name, run: p.admitted.bind(p) }] : []));
    this.#after = policies.filter((p) => p.after).reverse();
    this.#log = log;
    this.#tracer = options.tracer;
  }

  /** The exchange of a request its transport matched to `route`. */
  exchange(route: AnyRoute, request: CoreRequest): PolicyExchange {
    return new Exchange(request, route);
  }

  /** Both phases at once, for a request whose body is already parsed. */
  run(route: AnyRoute, request: CoreRequest): CoreAnswer | Promise<CoreAnswer> {
    return this.serve(new Exchange(request, route));
  }

  /**
   * Phase one, on the headers: the policies' `before` and the route's
   * admission steps. An answer ends the exchange. Like `serve`, a promise
   * only when a step returned one (the transport awaits only then).
   */
  admit(x: PolicyExchange): CoreAnswer | undefined | Promise<CoreAnswer | undefined> {
    x.admitted = true;
    let answer: StepOutcome | Promise<StepOutcome>;
    try {
      answer = runSteps(this.#before, x);
    } catch (err) {
      return this.#finish(x, this.#render(x, err));
    }
    if (isPending(answer)) return answer.then((a) => this.#admission(x, a), this.#failed(x));
    return this.#admission(x, answer);
  }

  /** Phase two: the route's steps (after phase one, run now if the transport did not). */
  serve(x: PolicyExchange): CoreAnswer | Promise<CoreAnswer> {
    if (!x.admitted) {
      const early = this.admit(x);
      if (isPending(early)) return early.then((a) => a ?? this.#steps(x));
      if (early !== undefined) return early;
    }
    return this.#steps(x);
  }

  /** Answer a request the transport refused with `error`; the policies' `before` run first if they have not (one may answer instead). */
  async refuse(x: PolicyExchange, error: unknown): Promise<CoreAnswer> {
    if (!x.admitted) {
      x.admitted = true;
      try {
        const early = await runSteps(this.#before, x);
        if (early !== undefined) return this.#finish(x, early);
      } catch (err) {
        return this.#finish(x, this.#render(x, err));
      }
    }
    return this.#finish(x, this.#render(x, error));
  }

  /** After the policies' `before`: the route's admission steps, unless a policy answered. */
  #admission(x: PolicyExchange, early: StepOutcome): CoreAnswer | undefined | Promise<CoreAnswer | undefined> {
    if (early !== undefined) return this.#finish(x, early);
    const admission = this.#admissionOf(routeOf(x));
    if (admission.length === 0) return undefined;
    let answer: StepOutcome | Promise<StepOutcome>;
    try {
      answer = runSteps(admission, x);
    } catch (err) {
      return this.#finish(x, this.#render(x, err));
    }
    if (isPending(answer))
      return answer.then((a) => (a === undefined ? undefined : this.#finish(x, a)), this.#failed(x));
    return answer === undefined ? undefined : this.#finish(x, answer);
  }

  #admissionOf(route: AnyRoute): readonly Step<object, CoreRequest>[] {
    let steps = this.#admissionSteps.get(route);
    if (steps === undefined) {
      steps = [...((route.admission ?? []) as readonly Step<object, CoreRequest>[]), ...this.#admitted];
      this.#admissionSteps.set(route, steps);
    }
    return steps;
  }

  #steps(x: PolicyExchange): CoreAnswer | Promise<CoreAnswer> {
    let answer: StepOutcome | Promise<StepOutcome>;
    try {
      answer = runSteps(this.#stepsOf(routeOf(x)), x);
    } catch (err) {
      return this.#finish(x, this.#render(x, err));
    }
    if (isPending(answer)) return answer.then((a) => this.#answered(x, a), this.#failed(x));
    return this.#answered(x, answer);
  }

  #stepsOf(route: AnyRoute): readonly Step<object, CoreRequest>[] {
    const steps = route.steps as readonly Step<object, CoreRequest>[];
    if (this.#tracer === undefined) return steps;
    let traced = this.#tracedSteps.get(route);
    if (traced === undefined) {
      traced = tracedSteps(this.#tracer, steps);
      this.#tracedSteps.set(route, traced);
    }
    return traced;
  }

  #answered(x: PolicyExchange, answer: StepOutcome): CoreAnswer {
    return this.#finish(x, answer ?? this.#render(x, new Error(`route ${x.route.name}: no step answered`)));
  }

  /** What a pending step's rejection is answered with. */
  #failed(x: PolicyExchange): (err: unknown) => CoreAnswer {
    return (err) => this.#finish(x, this.#render(x, err));
  }

  #finish(x: PolicyExchange, answer: CoreAnswer): CoreAnswer {
    x.applyHeaders(answer);
    for (const policy of this.#after) policy.after!(x, answer);
    return answer;
  }

  /** Errors are described in one place (shared/src/http/errors.ts) and shaped by the route's style. */
  #render(x: PolicyExchange, err: unknown): CoreAnswer {
    const described = describeError(err);
    if (described.log) this.#report(x, err, described);
    return routeOf(x).errors.render(x.request, described);
  }

  /** The private side of an answer (its detail, the step it came from), with the request id; a stack only for what may be a bug. */
  #report(x: PolicyExchange, err: unknown, described: ErrorReply): void {
    const { request } = x;
    const level = described.log!;
    const fields = {
      reqId: request.id,
      method: request.method,
      path: request.path,
      route: x.route.name,
      step: x.step,
      status: described.statusCode,
      error: described.body.error,
      detail: (described as { detail?: string }).detail,
      ...(level === 'error' ? { err } : {}),
    };
    this.#log[level](fields, described.statusCode >= 500 ? 'request failed' : 'request refused');
  }
}
