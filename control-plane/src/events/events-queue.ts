import type { TesseraEvent } from '@tessera/shared/events/event-types';

/** The BullMQ queue of event deliveries (docs/events.md). */
export const EVENTS_QUEUE = 'events';

/** One delivery: an event to one destination. */
export interface DeliveryJob {
  event: TesseraEvent;
  url: string;
  /** `endpoint` or the event-listener slot's name. */
  source: string;
  timeoutMs: number;
}

/** How deliveries are retried. */
export interface DeliverySettings {
  /** Attempts before a delivery is a dead letter. */
  attempts: number;
  /** The first retry's delay; each next one doubles it (BullMQ's exponential backoff). */
  backoffMs: number;
  /** Per-request deadline of an `events.endpoints` delivery (a slot's own timeoutMs wins for it). */
  timeoutMs: number;
}

/**
 * From the environment: TESSERA_EVENT_ATTEMPTS (default 8),
 * TESSERA_EVENT_BACKOFF_MS (default 30 000: retries after 30 s, 1 min,
 * 2 min, … about 1 h 4 min for the last, some 2 h 7 min in all) and
 * TESSERA_EVENT_TIMEOUT_MS (default 10 000). Tests shorten them.
 */
export function deliverySettings(env: NodeJS.ProcessEnv = process.env): DeliverySettings {
  const read = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`${name} must be a whole number from ${min} to ${max}`);
    return value;
  };
  return {
    attempts: read('TESSERA_EVENT_ATTEMPTS', 8, 1, 50),
    backoffMs: read('TESSERA_EVENT_BACKOFF_MS', 30_000, 10, 3_600_000),
    timeoutMs: read('TESSERA_EVENT_TIMEOUT_MS', 10_000, 50, 10_000),
  };
}

/**
 * The per-tenant dead-letter index: a sorted set of the tenant's failed
 * delivery ids, all at score 0 so they sort by id (event ids are ULIDs:
 * oldest first), which the API pages through with ZRANGEBYLEX. The jobs
 * themselves stay in BullMQ's failed set.
 */
export const deadLetterKey = (tid: string): string => `events:dead:${tid}`;
