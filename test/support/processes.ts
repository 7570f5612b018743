import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, ROOT } from '../../infra/dev/services.ts';

export { freePort, ROOT };

export interface RunningProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Start a plane's main.ts as a real process and wait until its health check
 * answers 200 (or answers at all, with `expectHealthy: false`).
 */
export async function startPlane(
  entry: 'data-plane' | 'control-plane',
  env: NodeJS.ProcessEnv,
  /** `port`: listen there (a node restarted behind a load balancer keeps its address); else a free one. */
  options: { expectHealthy?: boolean; port?: number; timeoutMs?: number } = {},
): Promise<RunningProcess> {
  const port = options.port ?? (await freePort());
  const portVar = entry === 'data-plane' ? 'DATA_PLANE_PORT' : 'CONTROL_PLANE_PORT';
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, entry, 'src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env, HOST: '127.0.0.1', [portVar]: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  // Generous: under a full parallel run on two cores, tsx compiling a plane can take a while.
  const timeoutMs = options.timeoutMs ?? 45_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited early (${child.exitCode}): ${output}`);
    const status = await fetch(`${url}/monitor/v1/healthcheck`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200 || (options.expectHealthy === false && status !== 0)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL'); // not left behind when the test gives up on it
      throw new Error(`${entry} not healthy within ${timeoutMs / 1000} s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Start the control plane's Temporal worker (control-plane/src/worker-main.ts)
 * as a real process and wait until it polls its task queues.
 */
export async function startWorkerProcess(
  env: NodeJS.ProcessEnv,
  /** How long it may take to be ready (a test that loads the machine on purpose allows more). */
  options: { timeoutMs?: number } = {},
): Promise<RunningProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'control-plane/src/worker-main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const timeoutMs = options.timeoutMs ?? 45_000;
  const deadline = Date.now() + timeoutMs;
  while (!output.includes('"worker":"ready"')) {
    if (child.exitCode !== null) throw new Error(`the worker exited early (${child.exitCode}): ${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the worker was not ready within ${timeoutMs / 1000} s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    url: '',
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(timer);
    },
  };
}
