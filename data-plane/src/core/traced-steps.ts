import { context, type Span, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { AnyRequest } from './core-request.ts';
import type { Exchange } from './exchange.ts';
import { isPending, type Step, type StepOutcome } from './step.ts';

/**
 * A route's steps, each as a span of the request's trace (only when tracing
 * is on: the pipeline runs the plain steps otherwise). A step runs in its
 * span's context, so what it calls (key operations) nests under it. Once the
 * grant is known (the token endpoint's `checkGrantType`), its type is named
 * on the step and the request (`tessera.grant_type`).
 */
export function tracedSteps<S, R extends AnyRequest>(tracer: Tracer, steps: readonly Step<S, R>[]): Step<S, R>[] {
  return steps.map((s) => ({
    name: s.name,
    run(x: Exchange<S, R>): StepOutcome | Promise<StepOutcome> {
      const parent = x.request.trace;
      if (parent === undefined) return s.run(x);
      const span = tracer.startSpan(
        s.name,
        { attributes: { 'tessera.step': s.name, 'tessera.route': x.route.name } },
        parent,
      );
      let outcome: StepOutcome | Promise<StepOutcome>;
      try {
        outcome = context.with(trace.setSpan(parent, span), () => s.run(x));
      } catch (err) {
        failed(span, err);
        throw err;
      }
      if (!isPending(outcome)) {
        ended(span, x);
        return outcome;
      }
      return outcome.then(
        (answer) => {
          ended(span, x);
          return answer;
        },
        (err: unknown) => {
          failed(span, err);
          throw err;
        },
      );
    },
  }));
}

function ended(span: Span, x: Exchange<unknown, AnyRequest>): void {
  const grantType = (x.state as { grant?: { grantType?: unknown } }).grant?.grantType;
  if (typeof grantType === 'string') {
    span.setAttribute('tessera.grant_type', grantType);
    if (x.request.trace) trace.getSpan(x.request.trace)?.setAttribute('tessera.grant_type', grantType);
  }
  span.end();
}

/** A refusal (an HttpError) is the step's answer, not a fault: recorded as an event; the status is left unset. */
function failed(span: Span, err: unknown): void {
  if (err instanceof Error) span.recordException(err);
  const status = (err as { statusCode?: unknown }).statusCode;
  if (typeof status !== 'number' || status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
