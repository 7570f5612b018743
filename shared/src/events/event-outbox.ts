import type { Db } from '../db/database.ts';
import { envelope, type NewEvent } from './event-envelope.ts';
import type { TesseraEvent } from './event-types.ts';

/**
 * Write a control-plane event to the PostgreSQL outbox (migration 0010) with
 * `executor`, the transaction of the change it announces: it is committed
 * with the change or not at all. The worker relays it (docs/events.md).
 */
export async function writeOutboxEvent(executor: Db, event: NewEvent, nowMs = Date.now()): Promise<TesseraEvent> {
  const full = envelope(event, nowMs);
  await executor
    .insertInto('event_outbox')
    .values({
      id: full.id,
      tid: full.tid,
      type: full.type,
      occurred_at: full.occurred_at,
      actor: full.actor ?? null,
      data: JSON.stringify(full.data),
    })
    .execute();
  return full;
}
