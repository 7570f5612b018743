import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../infra/dev/services.ts';
import { eventually } from './env.ts';

/** One of the quickstart apps under examples/, run as its users run it: `node --import tsx examples/<name>/main.ts`. */
export interface RunningExample {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** The first match of `pattern` in the output, waiting for it (fails early if the example exits without it). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Its exit code, once it exits. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function startExample(name: string, env: Record<string, string>, entry = 'main.ts'): RunningExample {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'examples', name, entry)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    async waitFor(pattern, timeoutMs = 30_000) {
      const seen = await eventually(
        () => ({ match: pattern.exec(output), done: child.exitCode !== null }),
        (v) => v.match !== null || v.done,
        timeoutMs,
      );
      if (!seen.match) throw new Error(`examples/${name} exited (${child.exitCode}) without ${pattern}: ${output}`);
      return seen.match;
    },
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Run an example to its end: its exit code and output. */
export async function runExample(
  name: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const example = startExample(name, env);
  const code = await example.exited;
  return { code, output: example.output() };
}
