import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

/** Helpers the dev launchers share: child processes, ports, the env written by prepare.sh. */

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** KEY=VALUE lines of .cache/env (paths prepare.sh found), without overriding the real environment. */
export function loadPreparedEnv(): Record<string, string> {
  const text = readFileSync(join(ROOT, '.cache', 'env'), 'utf8');
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values[line.slice(0, eq)] = line.slice(eq + 1);
  }
  for (const [k, v] of Object.entries(values)) process.env[k] ??= v;
  return values;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export function portAnswers(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  child?: ChildProcess,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null)
      throw new Error(`${what} exited with code ${child.exitCode} before it was ready`);
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms`);
}

export class Children {
  readonly #children: Array<{ name: string; child: ChildProcess }> = [];

  /** Start a child whose output is shown with a `[name]` prefix (or dropped when quiet). */
  spawn(
    name: string,
    command: string,
    args: string[],
    options: { env?: NodeJS.ProcessEnv; quiet?: boolean } = {},
  ): ChildProcess {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: false,
    });
    const relay = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream) => {
      if (!stream) return;
      let buffer = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        if (options.quiet) return;
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          out.write(`[${name}] ${buffer.slice(0, nl)}\n`);
          buffer = buffer.slice(nl + 1);
        }
      });
    };
    relay(child.stdout, process.stdout);
    relay(child.stderr, process.stderr);
    this.#children.push({ name, child });
    return child;
  }

  /** Stop every child, newest first: SIGTERM, then SIGKILL after a grace period. */
  async stopAll(graceMs = 5000): Promise<void> {
    for (const { child } of this.#children.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    this.#children.length = 0;
  }
}

/** `temporal server start-dev` on loopback; in memory unless a database file is given. */
export function startTemporal(
  children: Children,
  options: { port: number; dbFile?: string; quiet?: boolean },
): ChildProcess {
  const args = [
    'server',
    'start-dev',
    '--headless',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--log-level',
    'error',
  ];
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  return children.spawn('temporal', process.env.TEMPORAL_BIN ?? join(ROOT, '.cache/bin/temporal'), args, {
    quiet: options.quiet ?? false,
  });
}

export function startStripeMock(
  children: Children,
  options: { httpPort: number; httpsPort: number; quiet?: boolean },
): ChildProcess {
  return children.spawn(
    'stripe-mock',
    process.env.STRIPE_MOCK_BIN ?? join(ROOT, '.cache/bin/stripe-mock'),
    ['-http-port', String(options.httpPort), '-https-port', String(options.httpsPort)],
    { quiet: options.quiet ?? true },
  );
}
