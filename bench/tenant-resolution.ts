/**
 * Discovery throughput with 1 tenant and with 10,000 tenants in the database.
 *
 *   npm run bench:tenant-resolution            (BENCH_SECONDS=10 BENCH_TENANTS=10000 by default)
 *
 * The data plane runs as its own process pinned to CPU 0 (taskset, where
 * present); autocannon runs here, pinned to CPU 1, over loopback. The bench
 * uses a database and Redis prefix of its own and removes them afterwards.
 * It prints req/s and latency for: one tenant in the database; one tenant
 * requested with 10,000 in the database; requests spread over all 10,000
 * (after a pass that loads every tenant into the node's cache); and ratios.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { MasterKey } from '@tessera/shared/crypto/master-key';
import { createDb } from '@tessera/shared/db/database';
import { dropDatabase } from '@tessera/shared/db/migrate';
import { SoftwareKeyStore } from '@tessera/shared/keys/software-key-store';
import { loadSettings } from '@tessera/shared/settings';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { prepareDatabase } from '../infra/dev/migrate.ts';
import { freePort, loadPreparedEnv, ROOT } from '../infra/dev/services.ts';
import { hasTaskset, pinSelf } from './support/bench-env.ts';

// Re-run this script pinned to CPU 1 so the load generator never shares the server's core.
pinSelf('1');

loadPreparedEnv();
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 10_000);
const CONNECTIONS = 10;
const settings = loadSettings();
const runId = randomBytes(4).toString('hex');
const databaseUrl = Object.assign(new URL(settings.databaseUrl), { pathname: `/tessera_bench_${runId}` }).toString();
const redisPrefix = `tessera-bench-${runId}:`;
const masterKey = MasterKey.generateEncoded();

await prepareDatabase(databaseUrl);
const db = createDb(databaseUrl, { max: 4 });

/** Tenant `t0` gets real keys; bulk tenants reuse its public key rows (the bench measures resolution, not keygen). */
async function seedFirstTenant(port: number): Promise<void> {
  await db
    .insertInto('tenants')
    .values({
      tid: 't0',
      name: 't0',
      issuer: `http://127.0.0.1:${port}/t0`,
      status: 'active',
      plan: 'free',
      attrs: '{}',
      config_version: 1,
      status_reason: null,
    })
    .execute();
  await db.insertInto('tenant_configs').values({ tid: 't0', version: 1, config: '{}' }).execute();
  await new SoftwareKeyStore(db, new MasterKey(Buffer.from(masterKey, 'base64url'))).generate(
    't0',
    (['RS256', 'ES256', 'EdDSA'] as const).map((alg) => ({ alg, rsaKeySize: 2048 as const })),
  );
}

async function seedBulk(port: number, count: number): Promise<void> {
  const ids = sql`generate_series(1, ${count - 1}) as n`;
  await sql`insert into tenants (tid, name, issuer, status, plan, attrs, config_version)
    select 't' || n, 'tenant ' || n, 'http://127.0.0.1:' || ${port}::text || '/t' || n, 'active', 'free', '{}'::jsonb, 1 from ${ids}`.execute(
    db,
  );
  await sql`insert into tenant_configs (tid, version, config) select 't' || n, 1, '{}'::jsonb from ${ids}`.execute(db);
  await sql`insert into tenant_keys (tid, kid, alg, use, backend, public_jwk, private_sealed, activated_at)
    select 't' || n, k.kid, k.alg, k.use, k.backend, k.public_jwk, null, now()
    from ${ids} cross join (select * from tenant_keys where tid = 't0') k`.execute(db);
}

function startNode(port: number) {
  // BENCH_CPU_PROF=1 writes a V8 CPU profile of each node run into .cache/prof.
  const args = [
    ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=.cache/prof'] : []),
    '--import',
    'tsx',
    'data-plane/src/main.ts',
  ];
  const child = hasTaskset
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: nodeEnv(port),
      })
    : spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: nodeEnv(port) });
  return child;
}
function nodeEnv(port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_PREFIX: redisPrefix,
    TESSERA_MASTER_KEY: masterKey,
    DATA_PLANE_PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  };
}
async function waitHealthy(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (
      (await fetch(`${url}/monitor/v1/healthcheck`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('data plane did not start');
}

interface Figure {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}
/** Load for `seconds`, or for exactly `amount` requests when given. */
async function load(url: string, seconds: number, pathFor: (i: number) => string, amount?: number): Promise<Figure> {
  let i = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    ...(amount ? { amount } : { duration: seconds }),
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: pathFor(i++) }) }],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const discovery = (n: number) => `/t${n}/.well-known/openid-configuration`;
const rows: Array<[string, Figure]> = [];
let node = startNode(port);
try {
  await seedFirstTenant(port);
  await waitHealthy(url);
  await load(url, 3, () => discovery(0)); // warm-up: JIT, cache
  rows.push(['1 tenant in the database', await load(url, SECONDS, () => discovery(0))]);

  node.kill('SIGTERM');
  await new Promise((r) => node.once('exit', r));
  await seedBulk(port, TENANTS);
  node = startNode(port);
  await waitHealthy(url);
  await load(url, 3, () => discovery(0));
  rows.push([`1 tenant requested, ${TENANTS} in the database`, await load(url, SECONDS, () => discovery(0))]);
  // Load every tenant into the node's cache once (a cold miss is one Postgres read), then spread the load.
  await load(url, 0, (i) => discovery(i % TENANTS), TENANTS * 3);
  rows.push([
    `all ${TENANTS} tenants requested in turn`,
    await load(url, SECONDS, (i) => discovery((i * 7919) % TENANTS)),
  ]);
} finally {
  node.kill('SIGTERM');
  await new Promise((r) => (node.exitCode !== null ? r(null) : node.once('exit', r)));
  await db.destroy();
  await dropDatabase(databaseUrl);
  const redis = new Redis(settings.redisUrl);
  const keys = await redis.keys(`${redisPrefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
}

const base = rows[0]![1].rps;
console.log(
  `\nTenant resolution + discovery, ${SECONDS} s per row, ${CONNECTIONS} connections, loopback${hasTaskset ? ', server on CPU 0, load on CPU 1' : ''}`,
);
console.log('| scenario | req/s | p50 ms | p99 ms | errors | non-2xx | ratio to 1 tenant |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [name, f] of rows) {
  console.log(
    `| ${name} | ${f.rps.toFixed(0)} | ${f.p50} | ${f.p99} | ${f.errors} | ${f.non2xx} | ${(f.rps / base).toFixed(3)} |`,
  );
}
