import { Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type DeliveryJob, deadLetterKey } from './events-queue.ts';

/** A delivery that exhausted its attempts, as the API shows it. */
export interface DeadLetter {
  /** The delivery id (`<event id>-<destination digest>`): what a re-drive names. */
  id: string;
  event_id: string;
  type: string;
  url: string;
  source: string;
  attempts: number;
  last_error: string;
  failed_at: string | null;
}

/**
 * A tenant's dead letters (docs/events.md): its index (events-queue.ts,
 * `deadLetterKey`) names the deliveries, BullMQ's failed set holds them. A
 * listed id whose job is gone (removed by an operator) is dropped from the
 * index as it is met.
 */
export class DeadLetters {
  readonly #redis: Redis;
  readonly #queue: () => Queue<DeliveryJob>;

  /** `queue` is called at first use (the control plane opens BullMQ's connection only if the API is used). */
  constructor(redis: Redis, queue: () => Queue<DeliveryJob>) {
    this.#redis = redis;
    this.#queue = queue;
  }

  /** Oldest event first, `limit` at a time after the delivery id `after`. */
  async list(tid: string, limit: number, after?: string): Promise<{ items: DeadLetter[]; next?: string }> {
    const ids = await this.#redis.zrangebylex(
      deadLetterKey(tid),
      after ? `(${after}` : '-',
      '+',
      'LIMIT',
      0,
      limit + 1,
    );
    const page = ids.slice(0, limit);
    const items: DeadLetter[] = [];
    for (const id of page) {
      const job = await Job.fromId<DeliveryJob>(this.#queue(), id);
      if (!job || job.data.event.tid !== tid) {
        await this.#redis.zrem(deadLetterKey(tid), id);
        continue;
      }
      items.push({
        id,
        event_id: job.data.event.id,
        type: job.data.event.type,
        url: job.data.url,
        source: job.data.source,
        attempts: job.attemptsMade,
        last_error: job.failedReason ?? '',
        failed_at: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
      });
    }
    return ids.length > limit ? { items, next: page.at(-1)! } : { items };
  }

  /**
   * Re-drive one dead letter: back to the waiting list with its attempts
   * reset, out of the index. 'missing' when the tenant has no such dead
   * letter; 'busy' when BullMQ refuses (the job is no longer failed).
   */
  async retry(tid: string, id: string): Promise<'queued' | 'missing' | 'busy'> {
    if ((await this.#redis.zscore(deadLetterKey(tid), id)) === null) return 'missing';
    const job = await Job.fromId<DeliveryJob>(this.#queue(), id);
    if (!job || job.data.event.tid !== tid) {
      await this.#redis.zrem(deadLetterKey(tid), id);
      return 'missing';
    }
    try {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    } catch {
      return 'busy';
    }
    await this.#redis.zrem(deadLetterKey(tid), id);
    return 'queued';
  }
}
