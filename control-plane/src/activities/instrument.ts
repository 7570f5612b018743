import { ApplicationFailure, Context, heartbeat } from '@temporalio/activity';
import { faultFor, type TestFault } from './test-faults.ts';

// biome-ignore lint/suspicious/noExplicitAny: activities take any input type; `unknown` would not accept them (parameters are contravariant)
type ActivityFn = (input: any) => Promise<unknown>;

/**
 * Wrap every activity: it heartbeats while it runs (so a worker that dies
 * is noticed after the heartbeat timeout, however long the step may take)
 * and honours the test faults.
 */
export function instrument<T extends Record<string, ActivityFn>>(activities: T, faults: readonly TestFault[]): T {
  const wrapped: Record<string, ActivityFn> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (input: { tid?: string; tenant?: { tid: string } } | undefined) => {
      const tid = input?.tid ?? input?.tenant?.tid;
      const { info } = Context.current();
      // Local activities cannot heartbeat (their workflow task times out instead).
      const every = Math.max(200, Math.floor((info.heartbeatTimeoutMs ?? 30_000) / 3));
      if (!info.isLocal) heartbeat();
      const timer = info.isLocal ? undefined : setInterval(() => heartbeat(), every);
      try {
        if (faultFor(faults, 'fail', name, tid))
          throw ApplicationFailure.nonRetryable(`test fault injected into ${name}`, 'test_fault');
        const result = await fn(input);
        const delay = faultFor(faults, 'delay', name, tid);
        if (delay) {
          process.stdout.write(`${JSON.stringify({ testFault: 'delay', activity: name, tid, ms: delay.ms })}\n`);
          await new Promise((resolve) => setTimeout(resolve, delay.ms));
        }
        return result;
      } finally {
        clearInterval(timer);
      }
    };
  }
  return wrapped as T;
}
