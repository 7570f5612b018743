import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './env.ts';
import { freePort } from './processes.ts';

export interface RunningHaproxy {
  /** The front end, `http://127.0.0.1:<port>`. */
  url: string;
  child: ChildProcess;
  config: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * The HAProxy configuration of a fleet: round robin over the nodes (no sticky
 * sessions: a flow's steps land on different nodes), readiness checks every
 * 250 ms on the monitor endpoint, and layer-7 retries on another node when a
 * connection fails, a node closes without answering or answers too late.
 * HAProxy only retries what it may: a request it could not send at all, or an
 * idempotent one (GET) whose node died under it.
 * The `X-Tessera-Node` answer header names the node that served a request, so
 * a test can see flows move between nodes.
 */
export function haproxyConfig(frontPort: number, nodes: readonly { name: string; port: number }[]): string {
  return [
    'global',
    '  maxconn 2000',
    // Notices and worse (a server going down or up, and why), not one line per request.
    '  log stderr format raw local0 notice',
    '',
    'defaults',
    '  mode http',
    '  log global',
    // The client's address for the nodes (their TRUSTED_PROXIES names this proxy): rate limits count per client.
    '  option forwardfor',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  timeout server 10s',
    '  timeout queue 5s',
    // A check's answer may take a second: a node paused by its garbage collector or a busy machine stays in,
    // a dead one still leaves at once (its port refuses the check's connection).
    '  timeout check 1s',
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure empty-response response-timeout',
    '',
    'frontend tessera',
    `  bind 127.0.0.1:${frontPort}`,
    '  default_backend data_plane',
    '',
    'backend data_plane',
    '  balance roundrobin',
    '  option httpchk GET /monitor/v1/healthcheck',
    '  http-check expect status 200',
    '  default-server inter 250ms fastinter 100ms downinter 250ms fall 2 rise 1',
    '  http-response set-header X-Tessera-Node %s',
    ...nodes.map((n) => `  server ${n.name} 127.0.0.1:${n.port} check`),
    '',
  ].join('\n');
}

/** Debian's haproxy (prepare.sh installs it; `HAPROXY_BIN` overrides), in the foreground, on a free port. */
export async function startHaproxy(nodes: readonly { name: string; port: number }[]): Promise<RunningHaproxy> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tessera-haproxy-'));
  const config = haproxyConfig(port, nodes);
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  const bin = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';
  const child = spawn(bin, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  child.once('error', (err) => (output += `could not start ${bin} (run infra/dev/prepare.sh as root): ${err.message}`));
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (child.exitCode !== null || child.signalCode !== null || output.includes('could not start'))
        throw new Error(`haproxy exited: ${output}`);
      return fetch(`${url}/monitor/v1/healthcheck`).then(
        (r) => r.status,
        () => 0,
      );
    },
    (status) => status === 200,
    10_000,
  );
  return {
    url,
    child,
    config,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
