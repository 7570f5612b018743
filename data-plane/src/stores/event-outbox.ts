import { envelope } from '@tessera/shared/events/event-envelope';
import { EVENT_FIELD, EVENT_STREAM, encodeEvent } from '@tessera/shared/events/event-stream';
import type { Redis } from 'ioredis';
import type { Clock } from '../ports/clock.ts';
import type { EventSink, NewEvent } from '../ports/event-sink.ts';

/**
 * The data plane's outbox: one XADD to the Redis stream every node shares
 * (shared/src/events/event-stream.ts), under the connection's key prefix.
 * The connection auto-pipelines, so the XADDs of concurrent requests (and
 * whatever else they send in the same tick) go out in one write. The
 * control plane's worker relays the stream to the audit log and BullMQ.
 */
export class RedisEventOutbox implements EventSink {
  readonly #redis: Redis;
  readonly #clock: Clock;

  constructor(redis: Redis, clock: Clock) {
    this.#redis = redis;
    this.#clock = clock;
  }

  async emit(event: NewEvent): Promise<void> {
    await this.#redis.xadd(EVENT_STREAM, '*', EVENT_FIELD, encodeEvent(envelope(event, this.#clock.now())));
  }
}
