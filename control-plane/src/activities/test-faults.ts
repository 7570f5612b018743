/**
 * Test-only fault injection, honoured only when NODE_ENV=test:
 * `TESSERA_TEST_FAULTS="fail:smokeCheck:bad-,delay:createHsmToken:slow-:20000"`
 * — `fail` makes the activity fail for good (before doing anything) for
 * tenants whose tid starts with the prefix; `delay` holds the activity
 * *after* its work and before it reports back (the worst moment for a worker
 * to die), announcing it on stdout so a test knows when to kill the worker.
 */
export interface TestFault {
  kind: 'fail' | 'delay';
  activity: string;
  tidPrefix: string;
  ms: number;
}

export function parseTestFaults(spec: string | undefined, env: NodeJS.ProcessEnv = process.env): TestFault[] {
  if (env.NODE_ENV !== 'test' || !spec) return [];
  return spec
    .split(',')
    .map((rule) => rule.trim())
    .filter((rule) => rule.length > 0)
    .map((rule) => {
      const [kind, activity, tidPrefix, ms] = rule.split(':');
      if ((kind !== 'fail' && kind !== 'delay') || !activity || tidPrefix === undefined)
        throw new Error(`bad test fault "${rule}"`);
      return { kind, activity, tidPrefix, ms: Number(ms ?? 0) };
    });
}

export const faultFor = (
  faults: readonly TestFault[],
  kind: TestFault['kind'],
  activity: string,
  tid: string | undefined,
): TestFault | undefined =>
  tid === undefined
    ? undefined
    : faults.find((f) => f.kind === kind && f.activity === activity && tid.startsWith(f.tidPrefix));
