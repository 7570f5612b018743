import type { EventType } from '@tessera/shared/events/event-types';

/** An event as a step raises it; the sink adds the id and the time. */
export interface NewEvent {
  type: EventType;
  tid: string;
  actor?: string;
  /** Never a secret or a token value (a token's jti or a hash prefix at most). */
  data: Record<string, unknown>;
}

/**
 * Where the data plane puts events (shared/src/events/event-types.ts): the
 * outbox. Contract: `emit` resolves once the event is durable in the outbox
 * (a Redis stream shared by all nodes), so a node killed after answering
 * loses nothing; it gives each event a stable, time-ordered id; it rejects
 * only when the outbox cannot be written.
 */
export interface EventSink {
  emit(event: NewEvent): Promise<void>;
}
