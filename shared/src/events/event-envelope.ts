import { newEventId } from './event-id.ts';
import type { EventType, TesseraEvent } from './event-types.ts';

/** An event as the code that causes it raises it; the outbox adds the id and the time. */
export interface NewEvent {
  type: EventType;
  tid: string;
  /** Who caused it: `sub:<subject>`, `client:<client_id>`, `admin:<token id>` or `system`. */
  actor?: string;
  /** Never a secret or a token value (a token's jti at most). */
  data: Record<string, unknown>;
}

/** The envelope (event-types.ts) of an event raised at `nowMs`: a fresh time-ordered id, the time in ISO 8601. */
export function envelope(event: NewEvent, nowMs: number): TesseraEvent {
  return {
    id: newEventId(nowMs),
    type: event.type,
    tid: event.tid,
    occurred_at: new Date(nowMs).toISOString(),
    ...(event.actor !== undefined ? { actor: event.actor } : {}),
    data: event.data,
  };
}
