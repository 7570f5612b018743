import type { TesseraEvent } from './event-types.ts';

/**
 * The data plane's outbox: one Redis stream shared by every node (under the
 * deployment's key prefix, like every other data-plane key). Each entry has
 * one field, `e`, the event envelope as JSON. The worker's relay reads it
 * with a consumer group and deletes an entry once its jobs are queued, so
 * the stream holds only events not yet relayed.
 */
export const EVENT_STREAM = 'events:outbox';
/** The relay's consumer group. */
export const EVENT_STREAM_GROUP = 'relay';
export const EVENT_FIELD = 'e';

export const encodeEvent = (event: TesseraEvent): string => JSON.stringify(event);

/** The envelope of a stream entry's fields, or undefined when it is not one (never thrown: one bad entry must not stop the relay). */
export function decodeEvent(fields: readonly string[]): TesseraEvent | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] !== EVENT_FIELD) continue;
    try {
      const event = JSON.parse(fields[i + 1]!) as TesseraEvent;
      return typeof event?.id === 'string' && typeof event.tid === 'string' && typeof event.type === 'string'
        ? event
        : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
