import type { Redis } from 'ioredis';
import { issuerLastSeenKey, issuerRequestsKey } from '@tessera/shared/tenancy/issuer-requests';

/*
 * Per-node counts of requests per (tenant, issuer), kept in memory and added
 * to Redis by a timer: counting a request is a map update, never I/O, so it
 * can sit on the hottest path (tenant resolution).
 * Module state, because every part of the node that resolves a tenant must
 * count into the same place without being handed an object.
 */
const counts = new Map<string, Map<string, number>>();

/** Count one request served for `tid` under `issuer` (its primary issuer or an alias). */
export function countIssuerRequest(tid: string, issuer: string): void {
  add(tid, issuer, 1);
}

function add(tid: string, issuer: string, n: number): void {
  let byIssuer = counts.get(tid);
  if (!byIssuer) counts.set(tid, (byIssuer = new Map()));
  byIssuer.set(issuer, (byIssuer.get(issuer) ?? 0) + n);
}

/** Move the counts gathered so far to Redis (one pipeline); on failure they are kept for the next flush. */
export async function flushIssuerRequests(redis: Redis): Promise<void> {
  if (counts.size === 0) return;
  const batch = [...counts];
  counts.clear();
  const now = String(Date.now());
  const pipeline = redis.pipeline();
  for (const [tid, byIssuer] of batch) {
    for (const [issuer, n] of byIssuer) {
      pipeline.hincrby(issuerRequestsKey(tid), issuer, n);
      pipeline.hset(issuerLastSeenKey(tid), issuer, now);
    }
  }
  try {
    const results = await pipeline.exec();
    if (results?.some(([err]) => err)) throw new Error('issuer request counters: a Redis command failed');
  } catch (err) {
    // Put them back: a Redis blip delays the counts, it does not lose them (a partial failure may count twice).
    for (const [tid, byIssuer] of batch) for (const [issuer, n] of byIssuer) add(tid, issuer, n);
    throw err;
  }
}

/** Flush every `intervalMs` until stopped; the returned stop flushes one last time. */
export function startIssuerRequestFlusher(redis: Redis, intervalMs = 1000, onError: (err: unknown) => void = () => {}): () => Promise<void> {
  const timer = setInterval(() => flushIssuerRequests(redis).catch(onError), intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await flushIssuerRequests(redis).catch(onError);
  };
}
