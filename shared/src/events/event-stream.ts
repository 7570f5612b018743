import type { TesseraEvent } from './event-types.ts';

/**
 * The data plane's outbox: one Redis stream shared by every node (under the
 * deployment's key prefix, like every other data-plane key). Each entry
 * holds one or more `e` fields, each an event envelope as JSON: a node
 * writes the events of the requests it served in one event-loop turn as one
 * entry (data-plane/src/stores/event-outbox.ts). The worker's relay reads it
 * with a consumer group and deletes an entry once its jobs are queued, so
 * the stream holds only events not yet relayed.
 */
export const EVENT_STREAM = 'events:outbox';
/** The relay's consumer group. */
export const EVENT_STREAM_GROUP = 'relay';
export const EVENT_FIELD = 'e';

export const encodeEvent = (event: TesseraEvent): string => JSON.stringify(event);

/** One `e` field's envelope, or undefined when it is not one (never thrown: one bad field must not stop the relay). */
function decodeField(value: string): TesseraEvent | undefined {
  try {
    const event = JSON.parse(value) as TesseraEvent;
    return typeof event?.id === 'string' && typeof event.tid === 'string' && typeof event.type === 'string'
      ? event
      : undefined;
  } catch {
    return undefined;
  }
}

/** The envelopes of a stream entry's fields, in order; the unreadable ones are counted, not thrown. */
export function decodeEvents(fields: readonly string[]): { events: TesseraEvent[]; unreadable: number } {
  const events: TesseraEvent[] = [];
  let unreadable = 0;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] !== EVENT_FIELD) continue;
    const event = decodeField(fields[i + 1]!);
    if (event) events.push(event);
    else unreadable++;
  }
  return { events, unreadable };
}
