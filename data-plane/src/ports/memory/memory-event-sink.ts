import { envelope } from '@tessera/shared/events/event-envelope';
import type { TesseraEvent } from '@tessera/shared/events/event-types';
import type { Clock } from '../clock.ts';
import type { EventSink, NewEvent } from '../event-sink.ts';

/** Events kept in process memory, in order, for unit tests to read (`events`). */
export class MemoryEventSink implements EventSink {
  readonly events: TesseraEvent[] = [];
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async emit(event: NewEvent): Promise<void> {
    this.events.push(envelope(structuredClone(event), this.#clock.now()));
  }

  /** The events of one type. */
  ofType(type: TesseraEvent['type']): TesseraEvent[] {
    return this.events.filter((e) => e.type === type);
  }
}
