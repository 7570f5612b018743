import { type ChildProcess, spawn } from 'node:child_process';
import { ROOT } from '../../infra/dev/services.ts';
import { hasTaskset } from './bench-env.ts';
import { isInterrupted } from './interrupt.ts';

const START_TIMEOUT_MS = 60_000;

/**
 * A bench's server processes, pinned to CPU 0 (taskset, where present) while
 * the bench and its load generator run on CPU 1; `stopAll` in the bench's
 * `finally` leaves none behind.
 */
export class PinnedChildren {
  readonly #children = new Set<ChildProcess>();

  /** `node <args>` on CPU 0; its stderr shown indented, minus lines that match `quiet`. */
  start(args: string[], env: NodeJS.ProcessEnv, quiet?: RegExp): ChildProcess {
    const [command, argv] = hasTaskset
      ? (['taskset', ['-c', '0', process.execPath, ...args]] as const)
      : ([process.execPath, args] as const);
    const child = spawn(command, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env });
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    child.stdout?.resume();
    let buffer = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!quiet?.test(line)) process.stderr.write(`  ${line}\n`);
      }
    });
    return child;
  }

  /** Poll `probe` until it is true; throws if the child exits first, on Ctrl-C or after 60 s. */
  async waitReady(what: string, child: ChildProcess, probe: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (isInterrupted()) throw new Error('interrupted');
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready`);
      if (await probe().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${what} was not ready within ${START_TIMEOUT_MS / 1000} s`);
  }

  /** SIGTERM, then SIGKILL if it has not exited within 10 s (a CPU profile is written on a clean exit). */
  async stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#children].map((child) => this.stop(child)));
  }
}

/** BENCH_CPU_PROF set: each server process writes a V8 CPU profile into .cache/prof. */
export const profileArgs = () => (process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=.cache/prof'] : []);
