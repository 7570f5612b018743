import type { BusinessMetrics } from '@tessera/shared/observability/business-metrics';
import type { EventSink, NewEvent } from '../ports/event-sink.ts';

/**
 * The outbox, counting the business moments its events already mark
 * (tokens issued by grant, successful sign-ins, consents) into the
 * business metrics: one place instead of a counter beside every `emit`.
 * Counted when raised; an event the outbox failed to write failed its
 * request too, and that request's answer is counted as an error.
 */
export function measuredEventSink(sink: EventSink, metrics: BusinessMetrics): EventSink {
  return {
    emit(event: NewEvent) {
      count(event, metrics);
      return sink.emit(event);
    },
  };
}

function count(event: NewEvent, metrics: BusinessMetrics): void {
  switch (event.type) {
    case 'token.issued':
      metrics.tokenIssued(event.tid, String(event.data.grant_type));
      return;
    case 'subject.authenticated':
      metrics.signIn(event.tid, 'success');
      return;
    case 'consent.given':
      metrics.consent(event.tid, 'given');
      return;
    case 'consent.denied':
      metrics.consent(event.tid, 'denied');
      return;
  }
}
