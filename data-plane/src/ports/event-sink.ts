import type { NewEvent } from '@tessera/shared/events/event-envelope';

export type { NewEvent };

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
