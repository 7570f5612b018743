import { envelope } from '@tessera/shared/events/event-envelope';
import { EVENT_FIELD, EVENT_STREAM, encodeEvent } from '@tessera/shared/events/event-stream';
import type { Redis } from 'ioredis';
import type { Clock } from '../ports/clock.ts';
import type { EventSink, NewEvent } from '../ports/event-sink.ts';

/** Events one stream entry holds at most. */
const MAX_BATCH = 100;

/**
 * The data plane's outbox: the Redis stream every node shares
 * (shared/src/events/event-stream.ts), under the connection's key prefix.
 * The events of every request this node serves in one turn of the event
 * loop go out as ONE entry (one XADD, one `e` field each), written at
 * `setImmediate` and awaited by each of those requests before it answers:
 * the command costs about as much client CPU as the rest of the event, so a
 * busy node pays it once per turn instead of once per token; a request waits
 * no longer than the turn it is in. A failed write fails every request of
 * the batch (none answers with a change the audit log would miss). The
 * control plane's worker relays the stream to the audit log and BullMQ.
 */
export class RedisEventOutbox implements EventSink {
  readonly #redis: Redis;
  readonly #clock: Clock;
  #args: string[] | undefined;
  #written: Promise<void> | undefined;

  constructor(redis: Redis, clock: Clock) {
    this.#redis = redis;
    this.#clock = clock;
  }

  emit(event: NewEvent): Promise<void> {
    const encoded = encodeEvent(envelope(event, this.#clock.now()));
    if (this.#args === undefined || this.#args.length >= 2 * MAX_BATCH) this.#startBatch();
    this.#args!.push(EVENT_FIELD, encoded);
    return this.#written!;
  }

  #startBatch(): void {
    const args: string[] = [];
    this.#args = args;
    this.#written = new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        if (this.#args === args) this.#args = undefined;
        this.#redis.xadd(EVENT_STREAM, '*', ...args).then(() => resolve(), reject);
      });
    });
  }
}
