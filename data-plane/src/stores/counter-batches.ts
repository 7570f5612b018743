import type { ChainableCommander } from 'ioredis';

/**
 * Counters kept in memory on a node and added to Redis in batches (the
 * per-issuer request counts, usage metering): the two things each does with
 * Redis, written once.
 */

/**
 * Send one batch of counter writes. On any failure `restore` puts the batch's
 * counts back for the next flush: a Redis blip delays counts, it does not lose
 * them (a partial failure may count some twice).
 */
export async function sendCounts(pipeline: ChainableCommander, what: string, restore: () => void): Promise<void> {
  try {
    const results = await pipeline.exec();
    if (results?.some(([err]) => err)) throw new Error(`${what}: a Redis command failed`);
  } catch (err) {
    restore();
    throw err;
  }
}

/** Run `flush` every `intervalMs` until stopped; the returned stop flushes one last time. */
export function startFlusher(
  flush: () => Promise<void>,
  intervalMs: number,
  onError: (err: unknown) => void,
): () => Promise<void> {
  const timer = setInterval(() => flush().catch(onError), intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await flush().catch(onError);
  };
}
