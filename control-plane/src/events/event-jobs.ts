import { hostname } from 'node:os';
import type { Db } from '@tessera/shared/db/database';
import type { OutboundPolicy } from '@tessera/shared/http/outbound-policy';
import { createRedis } from '@tessera/shared/redis';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type DeliveryOptions, deliveryProcessor } from './event-delivery.ts';
import { EventRelay } from './event-relay.ts';
import { type DeliveryJob, type DeliverySettings, deliverySettings, EVENTS_QUEUE } from './events-queue.ts';
import { TenantConfigs } from './tenant-configs.ts';

export interface EventJobsOptions {
  db: Db;
  /** The prefixed command connection. */
  redis: Redis;
  redisUrl: string;
  /** The deployment's Redis prefix: BullMQ's keys go under `<prefix>bull`, as the usage job's. */
  redisPrefix: string;
  secrets: DeliveryOptions['secrets'];
  policy: OutboundPolicy;
  allowLoopbackHttp: boolean;
  /** Attempts, backoff, timeout (default: from the environment, events-queue.ts). */
  settings?: DeliverySettings;
  /** The relay's consumer name (default TESSERA_EVENT_CONSUMER or the host name: stable across restarts). */
  consumer?: string;
  /** Deliveries at once per worker process (default 10). */
  concurrency?: number;
  log?: (line: Record<string, unknown>) => void;
}

export interface EventJobs {
  relay: EventRelay;
  queue: Queue<DeliveryJob>;
  close(): Promise<void>;
}

/**
 * Events in the worker process (docs/events.md): the relay from both
 * outboxes to the audit log and the `events` queue, and the BullMQ worker
 * that delivers. BullMQ takes connections without a key prefix (its own
 * `prefix` keeps its keys beside the deployment's).
 */
export async function startEventJobs(options: EventJobsOptions): Promise<EventJobs> {
  const { log = () => {} } = options;
  const settings = options.settings ?? deliverySettings();
  const prefix = `${options.redisPrefix}bull`;
  const queueConnection = createRedis(options.redisUrl, '', { bullmq: true });
  const workerConnection = createRedis(options.redisUrl, '', { bullmq: true });
  // The stream read blocks its connection.
  const reader = createRedis(options.redisUrl, options.redisPrefix);
  const queue = new Queue<DeliveryJob>(EVENTS_QUEUE, { connection: queueConnection, prefix });
  const worker = new Worker<DeliveryJob>(
    EVENTS_QUEUE,
    deliveryProcessor({
      redis: options.redis,
      secrets: options.secrets,
      policy: options.policy,
      allowLoopbackHttp: options.allowLoopbackHttp,
    }),
    { connection: workerConnection, prefix, concurrency: options.concurrency ?? 10 },
  );
  worker.on('failed', (job, err) =>
    log({
      eventDelivery: 'failed',
      delivery: job?.id,
      attempt: job?.attemptsMade,
      error: err.message,
    }),
  );
  worker.on('error', (err) => log({ eventDelivery: 'error', error: err.message }));
  const relay = new EventRelay({
    db: options.db,
    redis: options.redis,
    reader,
    queue,
    configs: new TenantConfigs(options.db),
    settings,
    consumer: options.consumer ?? (process.env.TESSERA_EVENT_CONSUMER || hostname()),
    log,
  });
  relay.start();
  return {
    relay,
    queue,
    async close() {
      await relay.close();
      await worker.close();
      await queue.close();
      await Promise.all([queueConnection.quit(), workerConnection.quit(), reader.quit()]).catch(() => undefined);
    },
  };
}
