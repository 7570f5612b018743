import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/ports/clock.ts';
import { MemoryEventSink } from '../../../src/ports/memory/memory-event-sink.ts';

describe('MemoryEventSink', () => {
  it('keeps emitted events in order with their envelope, unaffected by later changes to the data', async () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1));
    const sink = new MemoryEventSink(clock);
    const data = { client_id: 'c' };
    await sink.emit({ type: 'client.registered', tid: 't', data });
    clock.advance(1000);
    await sink.emit({ type: 'client.deleted', tid: 't', actor: 'client:c', data: { client_id: 'c' } });
    data.client_id = 'changed';
    expect(sink.events.map((e) => [e.type, e.data.client_id, e.actor])).toEqual([
      ['client.registered', 'c', undefined],
      ['client.deleted', 'c', 'client:c'],
    ]);
    expect(sink.events[0]!.id < sink.events[1]!.id).toBe(true);
    expect(sink.ofType('client.deleted')).toHaveLength(1);
  });
});
