import { createRedis } from '@tessera/shared/redis';
import { type Processor, Queue, Worker } from 'bullmq';

/** Where a worker job's queue lives. */
export interface JobRedis {
  redisUrl: string;
  /** The deployment's Redis prefix: BullMQ's keys go under `<prefix>bull`. */
  redisPrefix: string;
}

export interface QueueWorkerOptions extends JobRedis {
  /** Jobs at once per worker process. */
  concurrency: number;
}

export interface QueueWorker<T> {
  queue: Queue<T>;
  worker: Worker<T>;
  /** Stop taking jobs (the ones running finish), then close the queue and both connections. */
  close(): Promise<void>;
}

/**
 * A BullMQ queue and the worker that runs its jobs, in the control plane's
 * worker process. BullMQ takes connections without a key prefix and
 * `maxRetriesPerRequest: null` (createRedis's `bullmq`), one each for the
 * queue and the blocking worker: its own `prefix` keeps its keys beside the
 * deployment's.
 */
export function openQueueWorker<T>(name: string, processor: Processor<T>, options: QueueWorkerOptions): QueueWorker<T> {
  const prefix = `${options.redisPrefix}bull`;
  const queueConnection = createRedis(options.redisUrl, '', { bullmq: true });
  const workerConnection = createRedis(options.redisUrl, '', { bullmq: true });
  const queue = new Queue<T>(name, { connection: queueConnection, prefix });
  const worker = new Worker<T>(name, processor, {
    connection: workerConnection,
    prefix,
    concurrency: options.concurrency,
  });
  return {
    queue,
    worker,
    async close() {
      await worker.close();
      await queue.close();
      await Promise.all([queueConnection.quit(), workerConnection.quit()]).catch(() => undefined);
    },
  };
}
