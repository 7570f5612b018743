import { hostname } from 'node:os';
import type { Db } from '@tessera/shared/db/database';
import type { OutboundPolicy } from '@tessera/shared/http/outbound-policy';
import { createRedis } from '@tessera/shared/redis';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type JobRedis, openQueueWorker } from '../jobs/queue-worker.ts';
import { type DeliveryOptions, deliveryProcessor } from './event-delivery.ts';
import { EventRelay } from './event-relay.ts';
import { type DeliveryJob, type DeliverySettings, deliverySettings, EVENTS_QUEUE } from './events-queue.ts';
import { TenantConfigs } from './tenant-configs.ts';

export interface EventJobsOptions extends JobRedis {
  db: Db;
  /** The prefixed command connection. */
  redis: Redis;
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
 * that delivers (jobs/queue-worker.ts).
 */
export async function startEventJobs(options: EventJobsOptions): Promise<EventJobs> {
  const { log = () => {} } = options;
  const settings = options.settings ?? deliverySettings();
  // The stream read blocks its connection.
  const reader = createRedis(options.redisUrl, options.redisPrefix);
  const { queue, worker, close } = openQueueWorker<DeliveryJob>(
    EVENTS_QUEUE,
    deliveryProcessor({
      redis: options.redis,
      secrets: options.secrets,
      policy: options.policy,
      allowLoopbackHttp: options.allowLoopbackHttp,
    }),
    { redisUrl: options.redisUrl, redisPrefix: options.redisPrefix, concurrency: options.concurrency ?? 10 },
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
      await close();
      await reader.quit().catch(() => undefined);
    },
  };
}
