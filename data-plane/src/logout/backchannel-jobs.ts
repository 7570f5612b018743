import { createRedis } from '@tessera/shared/redis';
import type { BackchannelLogoutSettings } from '@tessera/shared/settings';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BackchannelLogoutJob, BackchannelLogoutQueue } from '../ports/backchannel-logout-queue.ts';
import { type BackchannelDeliveryOptions, backchannelDelivery, type DeliveryOutcome } from './backchannel-delivery.ts';

/** The BullMQ queue of back-channel logout notices (docs/logout.md). */
export const BACKCHANNEL_LOGOUT_QUEUE = 'backchannel-logout';

export interface BackchannelJobsOptions {
  redisUrl: string;
  /** The deployment's Redis prefix: BullMQ's keys go under `<prefix>bull`, beside the control plane's queues. */
  redisPrefix: string;
  settings: BackchannelLogoutSettings;
  /** Deliveries at once per node (default 10). */
  concurrency?: number;
  log?: (line: Record<string, unknown>, message: string) => void;
}

/**
 * The back-channel logout queue of a data-plane node, and its worker: every
 * node queues the notices of the sessions it ends, and every node's worker
 * delivers whichever notices come next (the data plane is stateless; a
 * notice survives the node that queued it). Jobs carry the attempts and
 * backoff of the node that queued them; the deadline of each POST is the
 * delivering node's. BullMQ takes connections without a key prefix and
 * `maxRetriesPerRequest: null` (createRedis's `bullmq`): one for the queue,
 * opened at the first notice, one for the blocking worker, opened at
 * `start`.
 */
export class BackchannelJobs implements BackchannelLogoutQueue {
  readonly #options: BackchannelJobsOptions;
  readonly #prefix: string;
  #queue: { queue: Queue<BackchannelLogoutJob>; connection: Redis } | undefined;
  #worker: { worker: Worker<BackchannelLogoutJob, DeliveryOutcome>; connection: Redis } | undefined;

  constructor(options: BackchannelJobsOptions) {
    this.#options = options;
    this.#prefix = `${options.redisPrefix}bull`;
  }

  async enqueue(jobs: readonly BackchannelLogoutJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const { attempts, backoffMs } = this.#options.settings;
    await this.#openQueue().addBulk(
      jobs.map((data) => ({
        name: 'notice',
        data,
        opts: {
          jobId: data.jti,
          attempts,
          backoff: { type: 'exponential', delay: backoffMs },
          // A delivered notice is done with; a failed one stays a day for whoever looks into it.
          removeOnComplete: { age: 3600 },
          removeOnFail: { age: 86_400 },
        },
      })),
    );
  }

  /** Start this node's worker (the composition root calls it once the node is ready). */
  start(delivery: Omit<BackchannelDeliveryOptions, 'timeoutMs'>): void {
    if (this.#worker) return;
    const { log = () => {} } = this.#options;
    const connection = createRedis(this.#options.redisUrl, '', { bullmq: true });
    const worker = new Worker<BackchannelLogoutJob, DeliveryOutcome>(
      BACKCHANNEL_LOGOUT_QUEUE,
      backchannelDelivery({ ...delivery, timeoutMs: this.#options.settings.timeoutMs }),
      { connection, prefix: this.#prefix, concurrency: this.#options.concurrency ?? 10 },
    );
    // Ids and reasons only: never the token.
    const facts = (job: { id?: string | undefined; attemptsMade: number; data: BackchannelLogoutJob } | undefined) => ({
      tid: job?.data.tid,
      clientId: job?.data.clientId,
      jti: job?.id,
      attempt: job?.attemptsMade,
    });
    worker.on('failed', (job, err) =>
      log({ backchannelLogout: 'failed', ...facts(job), error: err.message }, 'back-channel logout not delivered'),
    );
    worker.on('error', (err) =>
      log({ backchannelLogout: 'error', error: err.message }, 'back-channel logout worker error'),
    );
    this.#worker = { worker, connection };
  }

  /** Stop taking notices (those being delivered finish), then close the queue and the connections. */
  async close(): Promise<void> {
    const worker = this.#worker;
    const queue = this.#queue;
    this.#worker = undefined;
    this.#queue = undefined;
    if (worker) await worker.worker.close();
    if (queue) await queue.queue.close();
    await Promise.all([worker?.connection.quit(), queue?.connection.quit()]).catch(() => undefined);
  }

  #openQueue(): Queue<BackchannelLogoutJob> {
    if (!this.#queue) {
      const connection = createRedis(this.#options.redisUrl, '', { bullmq: true });
      this.#queue = {
        queue: new Queue<BackchannelLogoutJob>(BACKCHANNEL_LOGOUT_QUEUE, { connection, prefix: this.#prefix }),
        connection,
      };
    }
    return this.#queue.queue;
  }
}
