import autocannon from 'autocannon';
import { cpuSeconds } from './cpu-time.ts';
import { isInterrupted, onInterrupt } from './interrupt.ts';

/** What autocannon POSTs: the server's base URL, a path, the headers and the body. */
export interface LoadTarget {
  url: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** A fresh DPoP proof for each request (autocannon's setupRequest); none when absent. */
  dpop?: () => string;
}
/** One run's figures; `cpuUs`: the server's CPU µs per request, where its pid and /proc were there. */
export interface Figure {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: number;
  cpuUs?: number;
}
export interface RunLength {
  warmup: number;
  seconds: number;
  connections: number;
}

/** POST `target` with `connections` connections for `seconds` (stopped early on Ctrl-C, then throws). */
export function runLoad(target: LoadTarget, seconds: number, connections: number): Promise<Figure> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${target.url}${target.path}`,
        method: 'POST',
        headers: target.headers,
        body: target.body,
        ...(target.dpop
          ? {
              requests: [
                {
                  setupRequest: (request: autocannon.Request) => ({
                    ...request,
                    headers: { ...request.headers, dpop: target.dpop!() },
                  }),
                },
              ],
            }
          : {}),
        connections,
        duration: seconds,
      },
      (err: unknown, result: autocannon.Result) => {
        forget();
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        if (isInterrupted()) return reject(new Error('interrupted'));
        resolve({
          rps: result.requests.average,
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          requests: result.requests.total,
        });
      },
    );
    const forget = onInterrupt(() => instance.stop());
  });
}

/**
 * Warm up, then load the server and report its figures, plus the server's
 * CPU time per request (process `pid`): a figure that other load on the
 * machine does not distort the way it distorts req/s.
 */
export async function measure(
  label: string,
  target: LoadTarget,
  pid: number | undefined,
  length: RunLength,
  log: (message: string) => void,
): Promise<Figure> {
  await runLoad(target, length.warmup, length.connections);
  const before = cpuSeconds(pid);
  const figure = await runLoad(target, length.seconds, length.connections);
  const after = cpuSeconds(pid);
  if (before !== undefined && after !== undefined && figure.requests > 0)
    figure.cpuUs = ((after - before) * 1e6) / figure.requests;
  log(
    `${label}: ${figure.rps.toFixed(0)} req/s, p99 ${figure.p99} ms, ${figure.cpuUs?.toFixed(0) ?? '?'} µs CPU/request, non-2xx ${figure.non2xx}, errors ${figure.errors}`,
  );
  return figure;
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
