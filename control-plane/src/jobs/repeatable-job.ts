import { type JobRedis, openQueueWorker } from './queue-worker.ts';

export interface RepeatableJobOptions extends JobRedis {
  /** The BullMQ queue, and the name of its one scheduler. */
  queue: string;
  scheduler: string;
  everyMs: number;
  /** One run; what it returns is logged with `completed`. */
  run: () => Promise<Record<string, unknown>>;
  /** Log lines are `{[logKey]: 'completed' | 'failed' | 'error', …}`. */
  logKey: string;
  log: (line: Record<string, unknown>) => void;
}

export interface RepeatableJob {
  /** Stop taking jobs (the one running finishes) and close the connections. */
  close(): Promise<void>;
}

/**
 * A BullMQ repeatable job in the worker process: one scheduler runs it every
 * `everyMs`, one run at a time across every worker process (BullMQ hands
 * each run to one worker; concurrency 1), so `run` must be idempotent: a
 * run cut short is finished by the next.
 */
export async function startRepeatableJob(options: RepeatableJobOptions): Promise<RepeatableJob> {
  const { logKey, log } = options;
  const { queue, worker, close } = openQueueWorker(options.queue, () => options.run(), {
    redisUrl: options.redisUrl,
    redisPrefix: options.redisPrefix,
    concurrency: 1,
  });
  worker.on('completed', (_job, result) => log({ [logKey]: 'completed', ...result }));
  worker.on('failed', (_job, err) => log({ [logKey]: 'failed', error: err.message }));
  worker.on('error', (err) => log({ [logKey]: 'error', error: err.message }));
  await queue.upsertJobScheduler(
    options.scheduler,
    { every: options.everyMs },
    { name: options.scheduler, opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
  return { close };
}
