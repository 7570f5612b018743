/**
 * Complete authorization-code flows per second: for each flow, the
 * authorisation session API (start → auth → consent → response with a
 * code), then the token endpoint (code + PKCE S256 → access token, refresh
 * token and ID token), as a login page and a client would drive them.
 *
 *   npm run bench:authorize      (BENCH_SECONDS=10; about 100 s in all with the floor)
 *
 * The data plane runs as a child process pinned to CPU 0 (taskset, where
 * present); this process drives BENCH_CONCURRENCY flows at a time (default
 * 16) from CPU 1, over loopback, for 20 s of warm-up and then BENCH_SECONDS.
 * Before timing, one flow is checked end to end (ID token verified with jose
 * against /jwks.json, nonce and at_hash present). Connect2id's reference:
 * 100–300 logins per second per core.
 *
 * The bench uses a database, a Redis prefix and a master key of its own and
 * removes them afterwards.
 *
 * The tenant is, by default, one made with the default config: the
 * deployment's key backend (a SoftHSM token of the bench's own where
 * PKCS11_MODULE is set, as infra/dev/prepare.sh sets it), ID tokens RS256,
 * access tokens ES256. BENCH_ALG=RS256|ES256|EdDSA makes it a software-key
 * tenant signing both with that algorithm instead (the rows of earlier runs).
 * Issue 12's target: the default tenant at ≥ 400 flows per second per core,
 * read as flows per second of the server's CPU time (1000 / CPU ms per flow).
 *
 * The floor: with the default tenant and a PKCS#11 module, bare node:http
 * (bench/support/bare-flow-server.mjs) serves the same four requests doing
 * only the flow's durable work and signatures — the same Redis commands, the
 * remembered-consent SELECT, the three events, the ES256 and RS256 signatures
 * in SoftHSM — under the same load, in turns with the data plane
 * (BENCH_ROUNDS rounds each). The report sets the target's CPU budget per flow
 * beside the floor's.
 *
 * Environment:
 *   BENCH_SECONDS       seconds timed (default 10)
 *   BENCH_WARMUP_SECONDS seconds of load before timing, for each server (default 20)
 *   BENCH_ROUNDS        timed runs of each server, in turns, when the floor runs (default 2)
 *   BENCH_FLOOR         off: no floor
 *   BENCH_STEPS         N: afterwards, the server's CPU per request of each step (start, auth, consent, token),
 *                       measured in phases of N requests each, on both servers, twice each in turns
 *   BENCH_CONCURRENCY   flows in flight (default 16)
 *   BENCH_ALG           default (default), RS256, ES256, EdDSA
 *   BENCH_CPU_PROF      when set, the data plane writes a V8 CPU profile into .cache/prof
 *   TESSERA_QUOTAS      passed to the data plane (`off`: no rate limits or hard caps). The tenant is on the `bench` plan
 *                       (bench/support/bench-plan.ts): every limit checked, none reached.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkCreateTenant } from '@tessera/control-plane/tenants/tenant-input';
import { createTenant } from '@tessera/control-plane/tenants/tenant-writer';
import { ClientStore } from '@tessera/shared/clients/client-store';
import { MasterKey } from '@tessera/shared/crypto/master-key';
import { createDb, type Db } from '@tessera/shared/db/database';
import { dropDatabase } from '@tessera/shared/db/migrate';
import { KeyStores } from '@tessera/shared/keys/key-stores';
import { loadSettings } from '@tessera/shared/settings';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { prepareDatabase } from '../infra/dev/migrate.ts';
import { freePort, loadPreparedEnv, ROOT } from '../infra/dev/services.ts';
import { clearRedisPrefix, hasTaskset, pinSelf, positiveEnv } from './support/bench-env.ts';
import { createBenchPlan } from './support/bench-plan.ts';
import { benchNodeFlags, compiledDataPlaneArgs } from './support/compiled-data-plane.ts';
import { cpuSeconds } from './support/cpu-time.ts';
import { isInterrupted } from './support/interrupt.ts';
import { PinnedChildren, profileArgs } from './support/pinned-children.ts';

pinSelf('1');

const SECONDS = positiveEnv('BENCH_SECONDS', 10);
const CONCURRENCY = positiveEnv('BENCH_CONCURRENCY', 16);
/**
 * Long enough for V8 to finish optimising the flow's code: a perf profile of a 3 s warm-up showed TurboFan
 * still compiling (6–9 % of the server's CPU in the first timed seconds, 0.2 % thirty seconds in), which a
 * long-running node does not pay; the floor's few functions settle at once, so a short warm-up skewed the ratio.
 */
const WARMUP_SECONDS = positiveEnv('BENCH_WARMUP_SECONDS', 20);
const ROUNDS = positiveEnv('BENCH_ROUNDS', 2);
/** Flows per phase of the per-step measurement (off unless set). */
const STEP_FLOWS = process.env.BENCH_STEPS ? positiveEnv('BENCH_STEPS', 3000) : 0;
const ALG = (process.env.BENCH_ALG ?? 'default') as 'default' | 'RS256' | 'ES256' | 'EdDSA';
if (!['default', 'RS256', 'ES256', 'EdDSA'].includes(ALG))
  throw new Error('BENCH_ALG must be default, RS256, ES256 or EdDSA');
/** What the ID token is signed with: the default config's RS256, or BENCH_ALG. */
const ID_ALG = ALG === 'default' ? 'RS256' : ALG;
/** Issue 12: the default tenant at 400 flows per second per core. */
const TARGET_FLOWS_PER_CORE = 400;
const log = (message: string) => process.stderr.write(`[bench:authorize] ${message}\n`);

loadPreparedEnv();
const settings = loadSettings();
const runId = randomBytes(4).toString('hex');
const databaseUrl = Object.assign(new URL(settings.databaseUrl), {
  pathname: `/tessera_bench_authorize_${runId}`,
}).toString();
const redisPrefix = `tessera-bench-authorize-${runId}:`;
const masterKeyEncoded = MasterKey.generateEncoded();
const masterKey = MasterKey.fromEnv({ TESSERA_MASTER_KEY: masterKeyEncoded });
const TID = 'bench-authorize';
const CLIENT_ID = 'bench-rp';
const CLIENT_SECRET = randomBytes(24).toString('base64url');
const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
const REDIRECT = 'https://rp.example.com/cb';
const pkcs11Module = ALG === 'default' ? process.env.PKCS11_MODULE || undefined : undefined;
/** The floor needs SoftHSM for its signatures, and is the floor of the default tenant's flow. */
const withFloor = pkcs11Module !== undefined && process.env.BENCH_FLOOR !== 'off';

// A SoftHSM token directory of the bench's own (the default tenant's keys live there when there is a module).
const softhsmDir = join(ROOT, '.cache', `softhsm-bench-authorize-${runId}`);
if (pkcs11Module) {
  mkdirSync(join(softhsmDir, 'tokens'), { recursive: true });
  writeFileSync(
    join(softhsmDir, 'softhsm2.conf'),
    `directories.tokendir = ${join(softhsmDir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  );
  process.env.SOFTHSM2_CONF = join(softhsmDir, 'softhsm2.conf');
}

const children = new PinnedChildren();
let child: ChildProcess | undefined;

async function startDataPlane(port: number): Promise<ChildProcess> {
  const proc = children.start([...profileArgs(), ...(await compiledDataPlaneArgs())], {
    ...process.env,
    PKCS11_MODULE: pkcs11Module ?? '',
    DATABASE_URL: databaseUrl,
    REDIS_URL: settings.redisUrl,
    REDIS_PREFIX: redisPrefix,
    TESSERA_MASTER_KEY: masterKeyEncoded,
    DATA_PLANE_PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  });
  await children.waitReady(
    'the data plane',
    proc,
    async () => (await fetch(`http://127.0.0.1:${port}/monitor/v1/healthcheck`)).status === 200,
  );
  return proc;
}

/** Bare node:http doing only the flow's durable work (bench/support/bare-flow-server.mjs), on a token of its own. */
async function startFloor(port: number): Promise<ChildProcess> {
  const init = spawnSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', 'bare-flow', '--so-pin', '0000', '--pin', '1234'],
    { encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`softhsm2-util --init-token: ${init.stderr}`);
  const script = join(ROOT, 'bench', 'support', 'bare-flow-server.mjs');
  // The node flags the data plane runs with, so only the work differs.
  const proc = children.start([...benchNodeFlags(), script], {
    ...process.env,
    BARE_PORT: String(port),
    BARE_REDIS_URL: settings.redisUrl,
    BARE_REDIS_PREFIX: `${redisPrefix}floor:`,
    BARE_DATABASE_URL: databaseUrl,
    BARE_TOKEN_LABEL: 'bare-flow',
    BARE_TOKEN_PIN: '1234',
  });
  let ready = false;
  proc.stdout!.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('ready')) ready = true;
  });
  await children.waitReady('the flow floor', proc, async () => ready);
  return proc;
}

/** A flow's state between its steps. */
interface FlowState {
  verifier: string;
  nonce: string;
  sid?: string;
  code?: string;
}

type AuthzMessage = { type: string; sid?: string; parameters?: { uri: string } };

async function sessionApi(base: string, apiToken: string, method: string, path: string, body: unknown) {
  const res = await fetch(`${base}/authz-sessions/rest/v3${path}`, {
    method,
    headers: { 'tenant-id': TID, authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`${method} authz session: ${res.status} ${await res.text()}`);
  return (await res.json()) as AuthzMessage;
}

/**
 * The four requests of a flow, in order, as a login page and a client make them; each takes the state the
 * one before left.
 */
const STEPS = {
  async start(base: string, apiToken: string): Promise<FlowState> {
    const verifier = randomBytes(32).toString('base64url');
    const nonce = randomBytes(12).toString('base64url');
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 'bench',
      nonce,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const m = await sessionApi(base, apiToken, 'POST', '', { query });
    if (m.type !== 'auth') throw new Error(`expected auth, got ${JSON.stringify(m)}`);
    return { verifier, nonce, sid: m.sid! };
  },
  async auth(base: string, apiToken: string, state: FlowState): Promise<FlowState> {
    const m = await sessionApi(base, apiToken, 'PUT', `/${state.sid}`, {
      sub: `user-${randomBytes(4).toString('hex')}`,
      amr: ['pwd'],
    });
    if (m.type !== 'consent') throw new Error(`expected consent, got ${JSON.stringify(m)}`);
    return state;
  },
  async consent(base: string, apiToken: string, state: FlowState): Promise<FlowState> {
    const m = await sessionApi(base, apiToken, 'PUT', `/${state.sid}`, { scope: ['openid'] });
    if (m.type !== 'response') throw new Error(`expected response, got ${JSON.stringify(m)}`);
    const code = new URL(m.parameters!.uri).searchParams.get('code');
    if (!code) throw new Error(`no code in ${m.parameters!.uri}`);
    return { ...state, code };
  },
  async token(base: string, _apiToken: string, state: FlowState): Promise<Record<string, string>> {
    const res = await fetch(`${base}/token`, {
      method: 'POST',
      headers: { 'tenant-id': TID, authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: state.code!,
        redirect_uri: REDIRECT,
        code_verifier: state.verifier,
      }).toString(),
    });
    const body = (await res.json()) as Record<string, string>;
    if (res.status !== 200 || !body.id_token || !body.access_token)
      throw new Error(`token: ${res.status} ${JSON.stringify(body)}`);
    return { ...body, nonce: state.nonce };
  },
};

/** One complete flow; returns the token response. */
async function flow(base: string, apiToken: string): Promise<Record<string, string>> {
  let state = await STEPS.start(base, apiToken);
  state = await STEPS.auth(base, apiToken, state);
  state = await STEPS.consent(base, apiToken, state);
  return STEPS.token(base, apiToken, state);
}

/**
 * BENCH_STEPS: the server's CPU per request of each step, measured in phases (`BENCH_STEPS` flows' starts, then
 * all their auth steps, …), `CONCURRENCY` requests in flight; the process's CPU clock ticks every 10 ms.
 */
async function stepCosts(base: string, apiToken: string, pid: number | undefined, n: number) {
  let states: FlowState[] = Array.from({ length: n }, () => ({ verifier: '', nonce: '' }));
  const costs: Record<string, number> = {};
  const phase = async <T>(name: string, fn: (state: FlowState) => Promise<T>): Promise<T[]> => {
    const out: T[] = new Array(n);
    let next = 0;
    const before = cpuSeconds(pid) ?? 0;
    const from = process.hrtime.bigint() / 1000n;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < n) {
          const i = next++;
          out[i] = await fn(states[i]!);
        }
      }),
    );
    costs[name] = (((cpuSeconds(pid) ?? 0) - before) * 1e6) / n;
    // The monotonic clock V8's CPU profiles use (µs): profile-summary.mjs can take one phase's samples.
    log(`phase ${name}: ${from}-${process.hrtime.bigint() / 1000n} µs`);
    return out;
  };
  states = await phase('start', () => STEPS.start(base, apiToken));
  states = await phase('auth', (s) => STEPS.auth(base, apiToken, s));
  states = await phase('consent', (s) => STEPS.consent(base, apiToken, s));
  await phase('token', (s) => STEPS.token(base, apiToken, s));
  return costs;
}

/** Run flows `CONCURRENCY` at a time for `seconds`; flow latencies in ms. */
async function load(
  base: string,
  apiToken: string,
  seconds: number,
): Promise<{ latencies: number[]; failures: number; elapsed: number }> {
  const latencies: number[] = [];
  let failures = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline && !isInterrupted()) {
      const t = performance.now();
      try {
        await flow(base, apiToken);
        latencies.push(performance.now() - t);
      } catch (err) {
        failures += 1;
        if (failures <= 3) log(`flow failed: ${String(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { latencies, failures, elapsed: (performance.now() - start) / 1000 };
}

let db: Db | undefined;
let databaseCreated = false;
let backend = 'software';
let tenantLabel = '';
interface Result {
  flows: number;
  perSecond: number;
  p50: number;
  p99: number;
  failures: number;
  cpuMs?: number;
}
const results: Result[] = [];
const floorResults: Result[] = [];
const stepResults: Array<{ server: string; costs: Record<string, number> }> = [];
let floor: ChildProcess | undefined;

/** One timed run of flows against `base`, with the CPU time of the process `pid` serving them. */
async function timed(base: string, apiToken: string, pid: number | undefined): Promise<Result> {
  const before = cpuSeconds(pid);
  const run = await load(base, apiToken, SECONDS);
  const after = cpuSeconds(pid);
  const sorted = [...run.latencies].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  return {
    flows: sorted.length,
    perSecond: sorted.length / run.elapsed,
    p50: pct(50),
    p99: pct(99),
    failures: run.failures,
    ...(before !== undefined && after !== undefined && sorted.length
      ? { cpuMs: ((after - before) * 1000) / sorted.length }
      : {}),
  };
}
try {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  databaseCreated = true;
  await prepareDatabase(databaseUrl);
  db = createDb(databaseUrl, { max: 2 });
  const keyStores = new KeyStores(db, masterKey, { pkcs11Module });
  const config =
    ALG === 'default'
      ? {}
      : {
          keys: {
            backend: 'software',
            idTokenSigningAlgorithm: ALG,
            accessTokenSigningAlgorithm: ALG,
            signingAlgorithms: ['RS256', 'ES256', 'EdDSA'],
          },
        };
  // A plan whose limits are checked and never reached (the free plan's 20 token requests a second would refuse).
  const plan = await createBenchPlan(db);
  const checked = checkCreateTenant(
    { tid: TID, name: TID, issuer: `${base}/${TID}`, plan, config },
    keyStores.defaultBackend,
  );
  backend = keyStores.defaultBackend;
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  const { apiToken } = await createTenant(db, keyStores, masterKey, checked.value);
  keyStores.close();
  await new ClientStore(db, masterKey).create(TID, {
    clientId: CLIENT_ID,
    metadata: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    secret: CLIENT_SECRET,
    secretExpiresAt: null,
    registrationTokenSha256: null,
  });

  child = await startDataPlane(port);
  // One flow, checked end to end, before anything is timed.
  const checkedFlow = await flow(base, apiToken);
  const jwks = createLocalJWKSet(
    (await (await fetch(`${base}/jwks.json`, { headers: { 'tenant-id': TID } })).json()) as JSONWebKeySet,
  );
  const { payload, protectedHeader } = await jwtVerify(checkedFlow.id_token!, jwks, {
    issuer: `${base}/${TID}`,
    audience: CLIENT_ID,
  });
  if (payload.nonce !== checkedFlow.nonce || typeof payload.at_hash !== 'string' || protectedHeader.alg !== ID_ALG)
    throw new Error(`unexpected ID token ${JSON.stringify({ payload, protectedHeader })}`);
  const accessAlg = decodeProtectedHeader(checkedFlow.access_token!).alg;
  log(
    `checked one flow (ID token ${ID_ALG}, access token ${accessAlg}, ${backend} keys, nonce, at_hash); warming up ${WARMUP_SECONDS} s`,
  );
  tenantLabel =
    ALG === 'default'
      ? `the default tenant: ${backend} keys, ID token ${ID_ALG}, access token ${accessAlg}`
      : `ID and access tokens ${ALG}, software keys`;
  await load(base, apiToken, WARMUP_SECONDS);
  let floorBase: string | undefined;
  if (withFloor) {
    const floorPort = await freePort();
    floor = await startFloor(floorPort);
    floorBase = `http://127.0.0.1:${floorPort}`;
    await flow(floorBase, apiToken);
    await load(floorBase, apiToken, WARMUP_SECONDS);
  }
  const rounds = withFloor ? ROUNDS : 1;
  for (let round = 1; round <= rounds; round++) {
    const of = rounds > 1 ? ` (round ${round}/${rounds})` : '';
    log(`timing ${SECONDS} s with ${CONCURRENCY} flows in flight${of}`);
    results.push(await timed(base, apiToken, child.pid));
    if (floorBase) {
      log(`timing the floor ${SECONDS} s${of}`);
      floorResults.push(await timed(floorBase, apiToken, floor!.pid));
    }
  }
  for (let round = 1; STEP_FLOWS && round <= 2; round++) {
    log(`per-step CPU, ${STEP_FLOWS} flows a phase (${round}/2)`);
    stepResults.push({ server: 'Tessera', costs: await stepCosts(base, apiToken, child.pid, STEP_FLOWS) });
    if (floorBase)
      stepResults.push({ server: 'floor', costs: await stepCosts(floorBase, apiToken, floor!.pid, STEP_FLOWS) });
  }
} finally {
  await children.stopAll();
  await db?.destroy();
  if (databaseCreated)
    await dropDatabase(databaseUrl).catch((err: unknown) => log(`could not drop ${databaseUrl}: ${String(err)}`));
  await clearRedisPrefix(settings.redisUrl, redisPrefix, log);
  rmSync(softhsmDir, { recursive: true, force: true });
}

/** The run with the median CPU per flow (of two, the lower). */
function medianRun(runs: Result[]): Result | undefined {
  const sorted = [...runs].sort((a, b) => (a.cpuMs ?? 0) - (b.cpuMs ?? 0));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

const result = medianRun(results);
if (result) {
  console.log(
    `\nAuthorization-code flows (authorisation session API start/auth/consent → code → token; ${tenantLabel}), ${SECONDS} s after ${WARMUP_SECONDS} s warm-up, ${CONCURRENCY} in flight, loopback` +
      `${hasTaskset ? ', server on CPU 0, driver on CPU 1' : ' (not pinned: no taskset)'}, Node ${process.version}` +
      (results.length > 1 ? `; the median of ${results.length} runs in turns with the floor` : ''),
  );
  const perCore = result.cpuMs ? 1000 / result.cpuMs : undefined;
  const target =
    ALG !== 'default'
      ? ''
      : perCore === undefined
        ? '?'
        : `≥ ${TARGET_FLOWS_PER_CORE} ${perCore >= TARGET_FLOWS_PER_CORE ? 'met' : 'MISSED'}`;
  const floorRun = medianRun(floorResults);
  console.log(
    '| server | flows/s | flows | p50 ms | p99 ms | server CPU ms/flow | flows per CPU-second | target | failures | CPU ms/flow per run |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |');
  const row = (name: string, r: Result, runs: Result[], aim: string) =>
    console.log(
      `| ${name} | ${r.perSecond.toFixed(0)} | ${r.flows} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.cpuMs?.toFixed(2) ?? '?'} | ${r.cpuMs ? (1000 / r.cpuMs).toFixed(0) : '?'} | ${aim} | ${r.failures} | ${runs.map((x) => x.cpuMs?.toFixed(2) ?? '?').join(' ')} |`,
    );
  row('Tessera', result, results, target);
  if (floorRun) {
    row("floor: bare node:http, the flow's durable work and signatures only", floorRun, floorResults, '');
    if (floorRun.cpuMs) {
      const budget = 1000 / TARGET_FLOWS_PER_CORE;
      console.log(
        `\nThe target allows ${budget.toFixed(2)} ms of CPU per flow; the floor uses ${floorRun.cpuMs.toFixed(2)} ms, so the target leaves ${(budget / floorRun.cpuMs).toFixed(2)}× the floor` +
          (result.cpuMs ? ` (Tessera: ${(result.cpuMs / floorRun.cpuMs).toFixed(2)}× the floor).` : '.'),
      );
      // Each round's two runs are seconds apart: their ratio is steadier than a ratio of medians when the VM's speed drifts.
      const perRound = results.flatMap((t, i) => {
        const f = floorResults[i]?.cpuMs;
        return t.cpuMs && f ? [`${(t.cpuMs / f).toFixed(2)}×`] : [];
      });
      console.log(`Tessera's CPU per flow over the floor's, per round: ${perRound.join(' ')}`);
    }
  }
}

if (stepResults.length) {
  const names = ['start', 'auth', 'consent', 'token'];
  console.log(`\nServer CPU µs per request, by step (${STEP_FLOWS} requests a phase, ${CONCURRENCY} in flight)`);
  console.log(`| server | ${names.join(' | ')} | flow |`);
  console.log(`| --- | ${names.map(() => '---:').join(' | ')} | ---: |`);
  for (const { server, costs } of stepResults)
    console.log(
      `| ${server} | ${names.map((n) => (costs[n] ?? 0).toFixed(0)).join(' | ')} | ${names.reduce((sum, n) => sum + (costs[n] ?? 0), 0).toFixed(0)} |`,
    );
}
