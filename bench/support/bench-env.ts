import { spawnSync } from 'node:child_process';

/** Whether `taskset` exists here (benchmarks pin server and load generator to separate cores with it). */
export const hasTaskset = spawnSync('sh', ['-c', 'command -v taskset'], { encoding: 'utf8' }).status === 0;

/**
 * Re-run the current script pinned to `cpus` (once; the child sees
 * BENCH_PINNED) and exit with its status. Call it first thing.
 */
export function pinSelf(cpus: string): void {
  if (!hasTaskset || process.env.BENCH_PINNED) return;
  const child = spawnSync('taskset', ['-c', cpus, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED: '1' },
  });
  process.exit(child.status ?? 1);
}

/** A positive number from the environment, or `fallback`. */
export function positiveEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
}

/** Remove every key under a bench's Redis prefix; returns how many went (a failure is logged, not thrown). */
export async function clearRedisPrefix(
  redisUrl: string,
  prefix: string,
  log: (message: string) => void,
): Promise<number> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>)
      if (keys.length) deleted += await redis.unlink(...keys);
  } catch (err) {
    log(`could not clean Redis prefix ${prefix}: ${String(err)}`);
  } finally {
    redis.disconnect();
  }
  return deleted;
}
