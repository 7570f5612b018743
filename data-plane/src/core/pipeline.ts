import { describeError, type ErrorReply } from '@tessera/shared/http/errors';
import type { CoreAnswer } from './core-answer.ts';
import type { CoreRequest } from './core-request.ts';
import { Exchange } from './exchange.ts';
import type { Policy, PolicyExchange } from './policy.ts';
import type { AnyRoute } from './route.ts';
import { runSteps } from './step.ts';

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
 *   only, before the body is read) → the route's steps → render what was
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
  readonly #before: readonly Policy[];
  readonly #after: readonly Policy[];
  readonly #log: PipelineLog;

  constructor(policies: readonly Policy[], log: PipelineLog) {
    this.policies = policies;
    this.#before = policies.filter((p) => p.before);
    this.#after = policies.filter((p) => p.after).reverse();
    this.#log = log;
  }

  /** The exchange of a request its transport matched to `route`. */
  exchange(route: AnyRoute, request: CoreRequest): PolicyExchange {
    return new Exchange(request, route);
  }

  /** Both phases at once, for a request whose body is already parsed. */
  run(route: AnyRoute, request: CoreRequest): Promise<CoreAnswer> {
    return this.serve(new Exchange(request, route));
  }

  /** Phase one, on the headers: the policies' `before` and the route's admission steps. An answer ends the exchange. */
  async admit(x: PolicyExchange): Promise<CoreAnswer | undefined> {
    x.admitted = true;
    let answer: CoreAnswer | undefined;
    try {
      answer = await this.#enter(x);
      const { admission } = routeOf(x);
      if (answer === undefined && admission !== undefined) answer = await runSteps(admission, x);
    } catch (err) {
      answer = this.#render(x, err);
    }
    return answer === undefined ? undefined : this.#finish(x, answer);
  }

  /** Phase two: the route's steps (after phase one, run now if the transport did not). */
  async serve(x: PolicyExchange): Promise<CoreAnswer> {
    if (!x.admitted) {
      const early = await this.admit(x);
      if (early !== undefined) return early;
    }
    let answer: CoreAnswer;
    try {
      answer =
        (await runSteps(routeOf(x).steps, x)) ?? this.#render(x, new Error(`route ${x.route.name}: no step answered`));
    } catch (err) {
      answer = this.#render(x, err);
    }
    return this.#finish(x, answer);
  }

  /** Answer a request the transport refused with `error`; the policies' `before` run first if they have not (one may answer instead). */
  async refuse(x: PolicyExchange, error: unknown): Promise<CoreAnswer> {
    if (!x.admitted) {
      x.admitted = true;
      try {
        const early = await this.#enter(x);
        if (early !== undefined) return this.#finish(x, early);
      } catch (err) {
        return this.#finish(x, this.#render(x, err));
      }
    }
    return this.#finish(x, this.#render(x, error));
  }

  #finish(x: PolicyExchange, answer: CoreAnswer): CoreAnswer {
    x.applyHeaders(answer);
    for (const policy of this.#after) policy.after!(x, answer);
    return answer;
  }

  async #enter(x: PolicyExchange): Promise<CoreAnswer | undefined> {
    for (const policy of this.#before) {
      x.step = policy.name;
      let outcome = policy.before!(x);
      if (outcome !== undefined && typeof (outcome as Promise<unknown>).then === 'function') outcome = await outcome;
      if (outcome) return outcome as CoreAnswer;
    }
    return undefined;
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
