import type { Redis } from 'ioredis';

/*
 * Requests per (tenant, issuer URL), as data-plane nodes count them: a Redis
 * hash per tenant, one field per issuer (a running total), and a second hash
 * with the time of the last flush that saw a request under it. The control
 * plane reads them to tell how much traffic still uses an old issuer.
 */
export const issuerRequestsKey = (tid: string): string => `issuer-requests:${tid}`;
export const issuerLastSeenKey = (tid: string): string => `issuer-requests-seen:${tid}`;

export interface IssuerRequests {
  /** Requests counted so far under the issuer (all nodes, flushed about every second). */
  total: number;
  /** When a flush last carried a request under it (ms since the epoch), or null. */
  lastSeenMs: number | null;
}

/** Read the counters of one issuer of a tenant. `redis` is a prefixed connection (shared/src/redis.ts). */
export async function readIssuerRequests(redis: Redis, tid: string, issuer: string): Promise<IssuerRequests> {
  const [total, seen] = await Promise.all([
    redis.hget(issuerRequestsKey(tid), issuer),
    redis.hget(issuerLastSeenKey(tid), issuer),
  ]);
  return { total: Number(total ?? 0), lastSeenMs: seen === null ? null : Number(seen) };
}
