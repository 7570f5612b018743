import { envelope } from '@tessera/shared/events/event-envelope';
import { EVENT_ID_PATTERN, newEventId } from '@tessera/shared/events/event-id';
import { decodeEvents, EVENT_FIELD, encodeEvent } from '@tessera/shared/events/event-stream';
import { describe, expect, it } from 'vitest';

describe('event ids', () => {
  it('are ULIDs: 26 characters, the time first, so later ids sort after earlier ones', () => {
    const t = Date.UTC(2030, 0, 1);
    const ids = [newEventId(t), newEventId(t + 1), newEventId(t + 1000), newEventId(t + 86_400_000)];
    for (const id of ids) expect(id).toMatch(new RegExp(EVENT_ID_PATTERN));
    expect([...ids].sort()).toEqual(ids);
    // The time part of a known instant (ULID spec: 48-bit ms, Crockford base32).
    expect(newEventId(1469918176385).slice(0, 10)).toBe('01ARYZ6S41');
  });

  it('differ within one millisecond', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newEventId(1)));
    expect(ids.size).toBe(1000);
  });
});

describe('the envelope and its stream entry', () => {
  it('adds the id and the time, and round-trips through the stream field', () => {
    const event = envelope({ type: 'token.issued', tid: 't1', actor: 'client:c', data: { jti: 'j' } }, 0);
    expect(event).toEqual({
      id: expect.stringMatching(/^0000000000/),
      type: 'token.issued',
      tid: 't1',
      occurred_at: '1970-01-01T00:00:00.000Z',
      actor: 'client:c',
      data: { jti: 'j' },
    });
    expect(decodeEvents([EVENT_FIELD, encodeEvent(event)])).toEqual({ events: [event], unreadable: 0 });
    const second = { ...event, id: `${event.id.slice(0, -1)}Z` };
    expect(decodeEvents([EVENT_FIELD, encodeEvent(event), EVENT_FIELD, encodeEvent(second)])).toEqual({
      events: [event, second],
      unreadable: 0,
    });
  });

  it('reads a malformed field as nothing, never throwing, and keeps the good ones of the entry', () => {
    const event = envelope({ type: 'key.rotated', tid: 't1', data: {} }, 0);
    expect(decodeEvents([EVENT_FIELD, '{not json'])).toEqual({ events: [], unreadable: 1 });
    expect(decodeEvents([EVENT_FIELD, '{"id":1}', EVENT_FIELD, encodeEvent(event)])).toEqual({
      events: [event],
      unreadable: 1,
    });
    expect(decodeEvents(['other', '{}'])).toEqual({ events: [], unreadable: 0 });
  });
});
