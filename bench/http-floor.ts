/**
 * The floor under bench/token.ts: what bare node:http costs per token-shaped
 * request on this machine, under the same load (autocannon, 10 connections,
 * server on CPU 0, load on CPU 1): a fixed token, one Ed25519 signature
 * (node:crypto, then libsodium, Tessera's software EdDSA signer:
 * shared/src/crypto/ed25519-signer.ts), and an identifier token written to
 * Redis (REDIS_URL) as Tessera's store writes it. bench:token runs the
 * libsodium and Redis rows itself, in turns with Tessera; this script shows
 * the whole ladder at once.
 *
 *   npm run bench:http-floor            (BENCH_SECONDS=10 per row)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadSettings } from '@tessera/shared/settings';
import autocannon from 'autocannon';
import { freePort, loadPreparedEnv, ROOT } from '../infra/dev/services.ts';
import { clearRedisPrefix, hasTaskset, pinSelf, positiveEnv } from './support/bench-env.ts';

pinSelf('1');
const SECONDS = positiveEnv('BENCH_SECONDS', 10);
loadPreparedEnv();
const { redisUrl } = loadSettings();
const redisPrefix = `tessera-bench-floor-${randomBytes(4).toString('hex')}:`;

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function load(url: string, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) =>
    autocannon(
      {
        url: `${url}/token`,
        method: 'POST',
        connections: 10,
        duration: seconds,
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic YmVuY2g6YmVuY2g=' },
        body: 'grant_type=client_credentials',
      },
      (err: unknown, result: autocannon.Result) =>
        err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result),
    ),
  );
}

async function row(name: string, sign: 'none' | 'node' | 'sodium' | 'identifier'): Promise<string> {
  const port = await freePort();
  const args = ['bench/support/bare-token-server.mjs'];
  const child: ChildProcess = spawn(
    hasTaskset ? 'taskset' : process.execPath,
    hasTaskset ? ['-c', '0', process.execPath, ...args] : args,
    {
      cwd: ROOT,
      env: {
        ...process.env,
        BARE_PORT: String(port),
        BARE_SIGN: sign,
        BARE_REDIS_URL: redisUrl,
        BARE_REDIS_PREFIX: redisPrefix,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`the bare server exited (${code})`)));
    });
    const url = `http://127.0.0.1:${port}`;
    await load(url, 3);
    const before = cpuSeconds(child.pid!);
    const result = await load(url, SECONDS);
    const cpuUs = ((cpuSeconds(child.pid!) - before) * 1e6) / result.requests.total;
    return `| ${name} | ${result.requests.average.toFixed(0)} | ${result.latency.p99} | ${cpuUs.toFixed(0)} | ${result.non2xx} |`;
  } finally {
    child.kill('SIGTERM');
  }
}

const rows: string[] = [];
try {
  rows.push(await row('bare node:http, random token', 'none'));
  rows.push(await row('bare node:http, one Ed25519 JWS per request (node:crypto)', 'node'));
  rows.push(await row('bare node:http, one Ed25519 JWS per request (libsodium)', 'sodium'));
  rows.push(await row('bare node:http, one identifier token written to Redis per request', 'identifier'));
} finally {
  await clearRedisPrefix(redisUrl, redisPrefix, (m) => process.stderr.write(`${m}\n`));
}
console.log(
  `\nBare HTTP floor, ${SECONDS} s per row after 3 s warm-up, 10 connections, loopback${hasTaskset ? ', server on CPU 0, load on CPU 1' : ''}, Node ${process.version}`,
);
console.log('| server | req/s | p99 ms | µs CPU/req | non-2xx |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(r);
