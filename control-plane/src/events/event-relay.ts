import { type AuditRecord, appendAudit } from '@tessera/shared/audit/audit-log';
import type { Db } from '@tessera/shared/db/database';
import { deliveryId, destinationsFor } from '@tessera/shared/events/event-destinations';
import { decodeEvents, EVENT_STREAM, EVENT_STREAM_GROUP } from '@tessera/shared/events/event-stream';
import type { EventType, TesseraEvent } from '@tessera/shared/events/event-types';
import type { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DeliveryJob, DeliverySettings } from './events-queue.ts';
import type { TenantConfigs } from './tenant-configs.ts';

/** A stream entry as XREADGROUP / XAUTOCLAIM give it: id and flat fields (null once deleted). */
type StreamEntry = [id: string, fields: string[] | null];

export interface EventRelayOptions {
  db: Db;
  /** Prefixed commands (acknowledgements). */
  redis: Redis;
  /** A prefixed connection of its own: the stream read blocks it. */
  reader: Redis;
  queue: Queue<DeliveryJob>;
  configs: TenantConfigs;
  settings: DeliverySettings;
  /** This relay's consumer name in the group: stable across restarts of one worker (its pending entries are its own). */
  consumer: string;
  /** How long a stream read waits for new entries (default 1 s). */
  blockMs?: number;
  /** How often the PostgreSQL outbox is polled (default 1 s). */
  pollMs?: number;
  /** An entry another consumer took and left this long is taken over (its worker died; default 60 s). */
  claimIdleMs?: number;
  batch?: number;
  log?: (line: Record<string, unknown>) => void;
}

/** What the audit log keeps of an event: the event itself, under its id (appendAudit records an id once). */
export const auditRecordOf = (event: TesseraEvent): AuditRecord => ({
  tid: event.tid,
  actor: event.actor ?? 'system',
  action: event.type,
  target: typeof event.data.client_id === 'string' ? `client:${event.data.client_id}` : null,
  details: event.data,
  occurredAt: event.occurred_at,
  eventId: event.id,
});

/**
 * The relay (docs/events.md), run by the worker process: it moves events
 * from the two outboxes — the data plane's Redis stream and the control
 * plane's `event_outbox` table — to the audit log and to one BullMQ job per
 * destination. Nothing is acknowledged before both are done, so a crash
 * anywhere repeats work rather than losing it: the audit insert skips an id
 * it has, BullMQ keeps one job per job id (deliveryId), and a receiver sees
 * a repeated delivery with the same event id at worst.
 *
 * The stream is read with a consumer group: on start the relay first reads
 * its own pending entries (taken before a crash, not acknowledged), then
 * new ones; entries another consumer left pending for `claimIdleMs` are
 * claimed (XAUTOCLAIM). The table is polled with FOR UPDATE SKIP LOCKED, so
 * several workers share it without taking the same row.
 */
export class EventRelay {
  readonly #o: Required<Omit<EventRelayOptions, 'log'>> & { log: (line: Record<string, unknown>) => void };
  #closed = false;
  #loops: Promise<void>[] = [];
  #wake: (() => void) | undefined;

  constructor(options: EventRelayOptions) {
    this.#o = {
      blockMs: 1000,
      pollMs: 1000,
      claimIdleMs: 60_000,
      batch: 100,
      log: () => {},
      ...options,
    };
  }

  start(): void {
    this.#loops = [this.#streamLoop(), this.#tableLoop()];
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    // A blocked read returns within blockMs.
    await Promise.all(this.#loops);
  }

  /** Audit `events` (with `executor`: the table's transaction) and queue their deliveries. */
  async relay(events: readonly TesseraEvent[], executor: Db = this.#o.db): Promise<void> {
    if (events.length === 0) return;
    await appendAudit(executor, events.map(auditRecordOf));
    const { settings, configs } = this.#o;
    const jobs: { name: string; data: DeliveryJob; opts: JobsOptions }[] = [];
    for (const event of events) {
      const config = await configs.get(event.tid);
      if (!config) continue;
      for (const destination of destinationsFor(config, event.type as EventType)) {
        jobs.push({
          name: event.type,
          data: {
            event,
            url: destination.url,
            source: destination.source,
            timeoutMs: destination.timeoutMs ?? settings.timeoutMs,
          },
          opts: {
            jobId: deliveryId(event.id, destination.url),
            attempts: settings.attempts,
            backoff: { type: 'exponential', delay: settings.backoffMs },
            // Kept a day after success, so a repeated relay within it finds the job and adds none;
            // kept after the last failure: the failed set is the dead-letter list.
            removeOnComplete: { age: 86_400 },
            removeOnFail: false,
          },
        });
      }
    }
    if (jobs.length > 0) await this.#o.queue.addBulk(jobs);
  }

  async #ensureGroup(): Promise<void> {
    try {
      await this.#o.redis.xgroup('CREATE', EVENT_STREAM, EVENT_STREAM_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  /** Relay stream entries, then acknowledge and delete them (one MULTI). A deleted or unreadable entry is only acknowledged. */
  async #relayEntries(entries: readonly StreamEntry[]): Promise<void> {
    const events: TesseraEvent[] = [];
    for (const [id, fields] of entries) {
      if (!fields) continue;
      const decoded = decodeEvents(fields);
      events.push(...decoded.events);
      if (decoded.unreadable > 0 || decoded.events.length === 0)
        this.#o.log({ eventRelay: 'unreadable stream entry fields dropped', entry: id, fields: decoded.unreadable });
    }
    await this.relay(events);
    const ids = entries.map(([id]) => id);
    await this.#o.redis
      .multi()
      .xack(EVENT_STREAM, EVENT_STREAM_GROUP, ...ids)
      .xdel(EVENT_STREAM, ...ids)
      .exec();
  }

  async #streamLoop(): Promise<void> {
    const { reader, consumer, batch, blockMs, claimIdleMs } = this.#o;
    let pending = true;
    let nextClaim = 0;
    while (!this.#closed) {
      try {
        if (pending) await this.#ensureGroup();
        const args: (string | number)[] = ['GROUP', EVENT_STREAM_GROUP, consumer, 'COUNT', batch];
        if (!pending) args.push('BLOCK', blockMs);
        args.push('STREAMS', EVENT_STREAM, pending ? '0' : '>');
        const answer = (await (reader.xreadgroup as (...a: (string | number)[]) => Promise<unknown>)(...args)) as
          | [string, StreamEntry[]][]
          | null;
        const entries = answer?.[0]?.[1] ?? [];
        if (entries.length > 0) await this.#relayEntries(entries);
        else if (pending) pending = false;
        if (Date.now() >= nextClaim) {
          nextClaim = Date.now() + Math.max(1000, claimIdleMs / 4);
          const claimed = (await this.#o.redis.xautoclaim(
            EVENT_STREAM,
            EVENT_STREAM_GROUP,
            consumer,
            claimIdleMs,
            '0-0',
            'COUNT',
            batch,
          )) as [string, StreamEntry[]];
          if (claimed[1].length > 0) await this.#relayEntries(claimed[1]);
        }
      } catch (err) {
        if (this.#closed) break;
        this.#o.log({ eventRelay: 'stream relay failed; retrying', error: (err as Error).message });
        pending = true; // what was read is still pending: read it again
        await this.#pause(1000);
      }
    }
  }

  /** One batch of the table outbox, in one transaction: audit, queue, mark relayed. How many rows it took. */
  async relayTableBatch(): Promise<number> {
    return this.#o.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('event_outbox')
        .select(['id', 'tid', 'type', 'occurred_at', 'actor', 'data'])
        .where('relayed_at', 'is', null)
        .orderBy('id')
        .limit(this.#o.batch)
        .forUpdate()
        .skipLocked()
        .execute();
      if (rows.length === 0) return 0;
      const events: TesseraEvent[] = rows.map((r) => ({
        id: r.id,
        type: r.type as EventType,
        tid: r.tid,
        occurred_at: r.occurred_at.toISOString(),
        ...(r.actor !== null ? { actor: r.actor } : {}),
        data: r.data,
      }));
      await this.relay(events, trx);
      await trx
        .updateTable('event_outbox')
        .set({ relayed_at: new Date() })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
      return rows.length;
    });
  }

  async #tableLoop(): Promise<void> {
    let nextPurge = 0;
    while (!this.#closed) {
      try {
        const taken = await this.relayTableBatch();
        if (Date.now() >= nextPurge) {
          nextPurge = Date.now() + 3_600_000;
          // Relayed rows are kept a day (for an operator's look), then dropped.
          await this.#o.db
            .deleteFrom('event_outbox')
            .where('relayed_at', '<', new Date(Date.now() - 86_400_000))
            .execute();
        }
        if (taken === this.#o.batch) continue;
      } catch (err) {
        if (this.#closed) break;
        this.#o.log({ eventRelay: 'outbox table relay failed; retrying', error: (err as Error).message });
      }
      await this.#pause(this.#o.pollMs);
    }
  }

  #pause(ms: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = this.#wake;
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        wake?.();
        done();
      };
    });
  }
}
