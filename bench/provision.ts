/**
 * Tenant provisioning throughput: N tenants (100 by default) created at
 * once through the control plane API, provisioned by a real Temporal worker
 * (HSM token and keys in SoftHSM, smoke check through a real data-plane node).
 *
 *   npm run bench:provision      (BENCH_TENANTS=100, BENCH_TIMEOUT_SECONDS=300, TESSERA_WORKER_MAX_ACTIVITIES=4)
 *
 * Everything runs on loopback in a space of the bench's own, removed
 * afterwards: a database, a Redis prefix, a SoftHSM token directory, an
 * in-memory Temporal dev server, and the control plane, worker and data-plane
 * processes. Prints the time one tenant alone takes, then, for the batch,
 * tenants provisioned per minute and p50/p95 time from POST to `active`
 * (seen by polling the tenants list every 50 ms) and the mean time per step.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflows } from '@tessera/control-plane/temporal/bundle';
import { provisionWorkflowId } from '@tessera/control-plane/workflows/ids';
import { MasterKey } from '@tessera/shared/crypto/master-key';
import { dropDatabase } from '@tessera/shared/db/migrate';
import { sha256Hex } from '@tessera/shared/http/api-token';
import { loadSettings } from '@tessera/shared/settings';
import { prepareDatabase } from '../infra/dev/migrate.ts';
import {
  Children,
  freePort,
  loadPreparedEnv,
  portAnswers,
  ROOT,
  startTemporal,
  waitFor,
} from '../infra/dev/services.ts';
import { clearRedisPrefix, positiveEnv } from './support/bench-env.ts';

loadPreparedEnv();
const TENANTS = positiveEnv('BENCH_TENANTS', 100);
const TIMEOUT_MS = positiveEnv('BENCH_TIMEOUT_SECONDS', 300) * 1000;
const settings = loadSettings();
const runId = randomBytes(4).toString('hex');
const databaseUrl = Object.assign(new URL(settings.databaseUrl), { pathname: `/tessera_bench_${runId}` }).toString();
const redisPrefix = `tessera-bench-${runId}:`;
const softhsmDir = join(ROOT, '.cache', `softhsm-bench-provision-${runId}`);
const bundlePath = join(ROOT, '.cache', `workflows-bench-${runId}.js`);
const operatorKey = randomBytes(32).toString('base64url');
const children = new Children();
const log = (message: string) => console.error(`[bench] ${message}`);

let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
});

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/** Mean run time of each activity (queueing in brackets), from the workflows' histories. */
async function stepTimes(address: string, tids: string[]): Promise<string> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    const run = new Map<string, number[]>();
    const queued = new Map<string, number[]>();
    const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
      Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
    for (const tid of tids.slice(0, 20)) {
      const events = (await client.workflow.getHandle(provisionWorkflowId(tid)).fetchHistory()).events ?? [];
      const byId = new Map(events.map((e) => [Number(e.eventId), e]));
      for (const e of events) {
        const done = e.activityTaskCompletedEventAttributes;
        if (!done) continue;
        const scheduled = byId.get(Number(done.scheduledEventId));
        const started = byId.get(Number(done.startedEventId));
        const name = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
        (run.get(name) ?? run.set(name, []).get(name)!).push(ms(e.eventTime) - ms(started?.eventTime));
        (queued.get(name) ?? queued.set(name, []).get(name)!).push(ms(started?.eventTime) - ms(scheduled?.eventTime));
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return [...run]
      .map(([name, xs]) => `${name} ${mean(xs).toFixed(0)} ms (+${mean(queued.get(name)!).toFixed(0)} queued)`)
      .join(', ');
  } finally {
    await connection.close();
  }
}

let databaseCreated = false;
let report = '';
try {
  mkdirSync(join(softhsmDir, 'tokens'), { recursive: true });
  writeFileSync(
    join(softhsmDir, 'softhsm2.conf'),
    `directories.tokendir = ${join(softhsmDir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  );
  await prepareDatabase(databaseUrl);
  databaseCreated = true;

  const [temporalPort, dataPlanePort, controlPlanePort] = [await freePort(), await freePort(), await freePort()];
  const temporal = startTemporal(children, { port: temporalPort, quiet: true });
  log('starting Temporal and bundling the workflow code');
  await Promise.all([
    waitFor('Temporal dev server', () => portAnswers(temporalPort), 30_000, temporal),
    bundleWorkflows(bundlePath),
  ]);

  const dataPlaneUrl = `http://127.0.0.1:${dataPlanePort}`;
  const controlPlaneUrl = `http://127.0.0.1:${controlPlanePort}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    REDIS_PREFIX: redisPrefix,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TESSERA_WORKFLOW_BUNDLE: bundlePath,
    TESSERA_SMOKE_CHECK_URL: dataPlaneUrl,
    TESSERA_MASTER_KEY: MasterKey.generateEncoded(),
    TESSERA_OPERATOR_KEY_SHA256: sha256Hex(operatorKey),
    SOFTHSM2_CONF: join(softhsmDir, 'softhsm2.conf'),
    DATA_PLANE_PORT: String(dataPlanePort),
    CONTROL_PLANE_PORT: String(controlPlanePort),
  };
  const node = (file: string) => ['--import', 'tsx', file];
  const dp = children.spawn('data-plane', process.execPath, node('data-plane/src/main.ts'), { env });
  const cp = children.spawn('control-plane', process.execPath, node('control-plane/src/main.ts'), { env });
  const worker = children.spawn('worker', process.execPath, node('control-plane/src/worker-main.ts'), {
    env,
    quiet: true,
  });
  let workerReady = false;
  worker.stdout?.on(
    'data',
    (chunk: Buffer | string) => void (workerReady ||= String(chunk).includes('"worker":"ready"')),
  );
  const healthy = (url: string) => async () =>
    (await fetch(`${url}/monitor/v1/healthcheck`).catch(() => null))?.status === 200;
  await Promise.all([
    waitFor('data plane', healthy(dataPlaneUrl), 30_000, dp),
    waitFor('control plane', healthy(controlPlaneUrl), 30_000, cp),
    waitFor('worker', async () => workerReady, 30_000, worker),
  ]);

  const headers = { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' };
  // One tenant alone first (also warms every process up): the time to active without a queue.
  const aloneStart = performance.now();
  const alone = await fetch(`${controlPlaneUrl}/tenants/rest/v1?wait=true`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ tid: 'alone', name: 'alone', issuer: `${dataPlaneUrl}/alone` }),
  });
  if (alone.status !== 201) throw new Error(`the first tenant was not created: ${alone.status} ${await alone.text()}`);
  const aloneSeconds = (performance.now() - aloneStart) / 1000;
  const tids = Array.from({ length: TENANTS }, (_, i) => `bench-${String(i).padStart(4, '0')}`);
  const postedAt = new Map<string, number>();
  const activeAt = new Map<string, number>();
  const failed = new Map<string, string>();
  log(`creating ${TENANTS} tenants at once`);
  const start = performance.now();
  const posts = await Promise.all(
    tids.map(async (tid) => {
      postedAt.set(tid, performance.now());
      const res = await fetch(`${controlPlaneUrl}/tenants/rest/v1`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ tid, name: tid, issuer: `${dataPlaneUrl}/${tid}` }),
      });
      if (res.status !== 202) failed.set(tid, `POST answered ${res.status}: ${await res.text()}`);
      return res.status;
    }),
  );
  const accepted = posts.filter((s) => s === 202).length;
  log(
    `${accepted} accepted in ${((performance.now() - start) / 1000).toFixed(1)} s; waiting for them to become active`,
  );

  const deadline = start + TIMEOUT_MS;
  while (activeAt.size + failed.size < TENANTS && performance.now() < deadline && !interrupted) {
    const res = await fetch(`${controlPlaneUrl}/tenants/rest/v1?limit=200`, { headers });
    const now = performance.now();
    for (const t of (
      (await res.json()) as { tenants: Array<{ tid: string; status: string; status_reason: string | null }> }
    ).tenants) {
      if (!postedAt.has(t.tid)) continue; // the tenant created alone
      if (t.status === 'active' && !activeAt.has(t.tid)) activeAt.set(t.tid, now);
      if (t.status === 'failed' && !failed.has(t.tid)) failed.set(t.tid, t.status_reason ?? 'failed');
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  const durations = [...activeAt].map(([tid, at]) => (at - postedAt.get(tid)!) / 1000).sort((a, b) => a - b);
  const lastActive = Math.max(...activeAt.values());
  const perMinute = activeAt.size / ((lastActive - start) / 60_000);
  for (const [tid, reason] of [...failed].slice(0, 5)) log(`${tid} failed: ${reason}`);
  const steps = await stepTimes(`127.0.0.1:${temporalPort}`, [...activeAt.keys()]);
  report =
    `\nTenant provisioning: ${TENANTS} tenants created concurrently through the API; 1 worker (${process.env.TESSERA_WORKER_MAX_ACTIVITIES || 4} activities at a time), ` +
    `SoftHSM keys (RS256, ES256, EdDSA, RSA-OAEP-256), smoke check via a data-plane node; loopback, Node ${process.version}\n` +
    `  one tenant alone  ${aloneSeconds.toFixed(2)} s from POST to active (?wait=true)\n` +
    `  active            ${activeAt.size} of ${TENANTS}${failed.size ? ` (${failed.size} failed)` : ''}${activeAt.size + failed.size < TENANTS ? ` (${TENANTS - activeAt.size - failed.size} still provisioning after ${TIMEOUT_MS / 1000} s)` : ''}\n` +
    `  throughput        ${Number.isFinite(perMinute) ? perMinute.toFixed(0) : '-'} tenants provisioned per minute (all ${activeAt.size} active after ${((lastActive - start) / 1000).toFixed(1)} s)\n` +
    // Activity tasks are served first come, first served: with N workflows started at once, each waits for the others' steps.
    `  time to active    p50 ${percentile(durations, 50).toFixed(2)} s   p95 ${percentile(durations, 95).toFixed(2)} s   max ${(durations.at(-1) ?? NaN).toFixed(2)} s\n` +
    `  per queued step   ${steps} (mean run time, + time waiting in the task queue; the short steps run as local activities)\n`;
} finally {
  await children.stopAll();
  if (databaseCreated)
    await dropDatabase(databaseUrl).catch((err: unknown) => log(`could not drop ${databaseUrl}: ${String(err)}`));
  await clearRedisPrefix(settings.redisUrl, redisPrefix, log);
  rmSync(softhsmDir, { recursive: true, force: true });
  rmSync(bundlePath, { force: true });
}
console.log(report);
process.exit(0);
