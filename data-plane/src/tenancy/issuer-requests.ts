import { issuerLastSeenKey, issuerRequestsKey } from '@tessera/shared/tenancy/issuer-requests';
import type { Redis } from 'ioredis';
import { sendCounts, startFlusher } from '../stores/counter-batches.ts';

/**
 * One node's counts of requests per (tenant, issuer), kept in memory and
 * added to Redis by a timer: counting a request is a map update, never I/O,
 * so it can sit on every request (the countIssuerRequest policy,
 * core/policies/count-issuer-request.ts). One per data plane.
 */
export class IssuerRequestCounts {
  #counts = new Map<string, Map<string, number>>();

  /** Count one request served for `tid` under `issuer` (its primary issuer or an alias). */
  count(tid: string, issuer: string): void {
    this.#add(tid, issuer, 1);
  }

  #add(tid: string, issuer: string, n: number): void {
    let byIssuer = this.#counts.get(tid);
    if (!byIssuer) this.#counts.set(tid, (byIssuer = new Map()));
    byIssuer.set(issuer, (byIssuer.get(issuer) ?? 0) + n);
  }

  /** Move the counts gathered so far to Redis (one pipeline); on failure they are kept for the next flush. */
  async flush(redis: Redis): Promise<void> {
    if (this.#counts.size === 0) return;
    const batch = [...this.#counts];
    this.#counts = new Map();
    const now = String(Date.now());
    const pipeline = redis.pipeline();
    for (const [tid, byIssuer] of batch) {
      for (const [issuer, n] of byIssuer) {
        pipeline.hincrby(issuerRequestsKey(tid), issuer, n);
        pipeline.hset(issuerLastSeenKey(tid), issuer, now);
      }
    }
    await sendCounts(pipeline, 'issuer request counters', () => {
      for (const [tid, byIssuer] of batch) for (const [issuer, n] of byIssuer) this.#add(tid, issuer, n);
    });
  }

  /** Flush every `intervalMs` until stopped; the returned stop flushes one last time. */
  startFlusher(redis: Redis, intervalMs = 1000, onError: (err: unknown) => void = () => {}): () => Promise<void> {
    return startFlusher(() => this.flush(redis), intervalMs, onError);
  }
}
