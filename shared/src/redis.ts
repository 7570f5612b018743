import { Redis } from 'ioredis';

/**
 * A Redis connection whose keys all start with `prefix`, so dev data, each
 * test run and each tenant-independent concern keep to their own key space.
 * Pub/sub channel names are not prefixed by ioredis: callers add the prefix.
 */
export function createRedis(
  url: string,
  prefix: string,
  options: { lazyConnect?: boolean; bullmq?: boolean } = {},
): Redis {
  return new Redis(url, {
    keyPrefix: prefix,
    lazyConnect: options.lazyConnect ?? false,
    // BullMQ requires null; elsewhere a bounded retry makes a dead Redis an error, not a hang.
    maxRetriesPerRequest: options.bullmq ? null : 2,
    enableOfflineQueue: true,
    // Commands issued in the same tick share one write (many concurrent token requests, one round trip).
    enableAutoPipelining: !options.bullmq,
  });
}
