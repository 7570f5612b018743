import { decodeEvents, EVENT_STREAM } from '@tessera/shared/events/event-stream';
import { createRedis } from '@tessera/shared/redis';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestServices } from '../../test/support/env.ts';
import { ManualClock } from '../src/ports/clock.ts';
import { RedisEventOutbox } from '../src/stores/event-outbox.ts';

// A prefix of its own: no relay of another test file reads (and deletes) these entries.
const s = openTestServices();
const redis = createRedis(s.settings.redisUrl, `${s.settings.redisPrefix}outbox-test:`);
afterAll(async () => {
  await redis.del(EVENT_STREAM);
  redis.disconnect();
  await s.close();
});

const entries = async () =>
  ((await redis.xrange(EVENT_STREAM, '-', '+')) as [string, string[]][]).map(([, fields]) => decodeEvents(fields));

describe('the Redis event outbox', () => {
  it('writes the events of one event-loop turn as one entry, in order, and later ones as another', async () => {
    const outbox = new RedisEventOutbox(redis, new ManualClock(Date.parse('2030-01-01T00:00:00Z')));
    const event = (n: number) => ({ type: 'token.issued' as const, tid: 't1', data: { n } });
    await Promise.all([outbox.emit(event(1)), outbox.emit(event(2)), outbox.emit(event(3))]);
    await outbox.emit(event(4));
    const written = await entries();
    expect(written.map((e) => e.events.map((v) => v.data.n))).toEqual([[1, 2, 3], [4]]);
    expect(written.flatMap((e) => e.events).every((v) => v.occurred_at === '2030-01-01T00:00:00.000Z')).toBe(true);
    expect(new Set(written.flatMap((e) => e.events.map((v) => v.id))).size).toBe(4);
  });

  it('fails every request of a batch whose write fails', async () => {
    // A key of another type under the stream's name makes XADD fail (WRONGTYPE).
    await redis.del(EVENT_STREAM);
    await redis.set(EVENT_STREAM, 'not a stream');
    const outbox = new RedisEventOutbox(redis, new ManualClock(0));
    const results = await Promise.allSettled([
      outbox.emit({ type: 'token.issued', tid: 't1', data: {} }),
      outbox.emit({ type: 'token.issued', tid: 't1', data: {} }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await redis.del(EVENT_STREAM);
  });
});
