/**
 * Token endpoint cost: Tessera against node-oidc-provider and against a bare node:http floor,
 * client_credentials with client_secret_basic, under the same autocannon load.
 *
 *   npm run bench:token                (BENCH_SECONDS=10, BENCH_ROUNDS=3: about 12 minutes in all)
 *
 * Rows (each run: 3 s warm-up, 10 s before a row's first run, then BENCH_SECONDS with 10 connections;
 * BENCH_ROUNDS runs of each server, taking turns):
 *   - identifier access token, kept (hashed) in the real Redis  vs  node-oidc-provider opaque token (in-memory adapter)
 *   - JWT access token EdDSA, ES256 (software keys and SoftHSM), RS256  vs  node-oidc-provider JWT with the same alg
 *   - the default tenant (a config of defaults: the deployment's key backend — SoftHSM where PKCS11_MODULE is
 *     set — and ES256 access tokens)  vs  node-oidc-provider JWT ES256
 *   - introspection (/token/introspect) of one identifier token  vs  node-oidc-provider's of one opaque token
 *   - floor rows: JWT EdDSA and identifier token  vs  bare node:http answering with the same libsodium
 *     signature, or the same Redis write (bench/support/bare-token-server.mjs)
 * Each Tessera row has a tenant of its own (one client, client_secret_basic, client_credentials only),
 * addressed with the `Tenant-ID` header. node-oidc-provider runs as configured in
 * docs/platform-notes.md (bench/support/oidc-provider-server.mjs). Targets (issue 12) compare the
 * servers' CPU time per request, median over the rounds.
 *
 * Both servers run as child processes pinned to CPU 0 (taskset, where present); autocannon runs
 * here, pinned to CPU 1, over loopback. The Tessera node stays up; each row's node-oidc-provider
 * runs in a process of its own, and the two take the load in turns, so only one server is under
 * load at a time and each round's ratio compares two neighbouring runs. A row shows the medians
 * over its rounds, and every round's ratio. Before a row is timed, one
 * response is checked: 200 and a token; JWTs verified with jose against the server's JWK set (and,
 * for Tessera, that the signing key lives in the expected backend); identifier tokens introspected.
 *
 * The bench uses a database, a Redis prefix, a master key and a SoftHSM token directory
 * (.cache/softhsm-bench-token-*) of its own and removes them afterwards.
 *
 * Environment:
 *   BENCH_SECONDS    seconds per run (default 10)
 *   BENCH_ROUNDS     runs of each server per row, in turns (default 3)
 *   BENCH_CPU_PROF   when set, each server process writes a V8 CPU profile into .cache/prof
 *   BENCH_ONLY       comma list of rows to run: identifier, eddsa, es256, es256-hsm, rs256, default, introspect,
 *                    floor-eddsa, floor-identifier (default all)
 *   TESSERA_METERING off: the Tessera node runs without usage metering (passed on to it, as all of the
 *                    environment is), to compare its cost: run once with and once without, in turns
 *   BENCH_PLUGINS    on: every non-default Tessera tenant runs with plugins (issue 14): the built-in JWT claims
 *                    codec (cid/scp renamed to client_id/scope) and a token.issued event endpoint; run once with
 *                    and once without, in turns, to compare (BENCH_ONLY=eddsa)
 *   TESSERA_QUOTAS   passed to the data plane: `off` leaves out the plans' rate limits and hard caps. The bench
 *                    tenants are on a plan of their own (`bench`) whose limits are never reached, so a run with
 *                    them on measures the cost of checking, not refusals; compare runs with and without.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkCreateTenant } from '@tessera/control-plane/tenants/tenant-input';
import { createTenant } from '@tessera/control-plane/tenants/tenant-writer';
import { ClientStore } from '@tessera/shared/clients/client-store';
import { MasterKey } from '@tessera/shared/crypto/master-key';
import { createDb, type Db } from '@tessera/shared/db/database';
import { dropDatabase } from '@tessera/shared/db/migrate';
import { KeyStores } from '@tessera/shared/keys/key-stores';
import { loadSettings } from '@tessera/shared/settings';
import autocannon from 'autocannon';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { prepareDatabase } from '../infra/dev/migrate.ts';
import { freePort, loadPreparedEnv, ROOT } from '../infra/dev/services.ts';
import { clearRedisPrefix, hasTaskset, pinSelf, positiveEnv } from './support/bench-env.ts';
import { createBenchPlan } from './support/bench-plan.ts';

// Re-run this script pinned to CPU 1 so the load generator never shares the server's core.
pinSelf('1');

const positive = positiveEnv;
const SECONDS = positive('BENCH_SECONDS', 10);
const ROUNDS = positive('BENCH_ROUNDS', 3);
const WARMUP_SECONDS = 3;
const PLUGINS = process.env.BENCH_PLUGINS === 'on';
/** BENCH_PLUGINS=on: a built-in codec and token-issue events (never delivered: the bench runs no worker). */
const PLUGIN_CONFIG = {
  plugins: { jwtClaimsCodec: { type: 'builtin', rename: { cid: 'client_id', scp: 'scope' }, scopeFormat: 'string' } },
  events: { endpoints: [{ url: 'https://events.example.com/hook', types: ['token.issued'] }] },
};
/** The first run of each server in a row warms up longer: a fresh node-oidc-provider process is still being optimised by V8. */
const FIRST_WARMUP_SECONDS = 10;
const CONNECTIONS = 10;
const START_TIMEOUT_MS = 60_000;
const log = (message: string) => process.stderr.write(`[bench:token] ${message}\n`);

type Reference = 'opaque' | 'EdDSA' | 'ES256' | 'RS256';
/** What bare node:http does per request in a floor row (BARE_SIGN of bench/support/bare-token-server.mjs). */
type Floor = 'sodium' | 'identifier';
interface Scenario {
  name: string;
  tid: string;
  /** `default`: whatever the deployment gives a tenant that does not say (SoftHSM where there is a module). */
  backend: 'software' | 'pkcs11' | 'default';
  format: 'identifier' | 'jwt';
  alg: 'EdDSA' | 'ES256' | 'RS256';
  reference: Reference;
  /** Compare with bare node:http doing this per request instead of node-oidc-provider. */
  floor?: Floor;
  /** The tenant's config is the defaults (only the client is added). */
  defaults?: boolean;
  /** What the issue asks for: the reference's CPU per request over Tessera's at least `cpu` (median of the rounds). */
  target?: { cpu: number; text: string };
  /** Load the introspection endpoint with one token of the scenario instead of the token endpoint. */
  introspect?: boolean;
}
/** What autocannon sends: a path (the token or introspection endpoint) and its form body. */
interface Load {
  path: string;
  body: string;
}
interface Figure {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: number;
  cpuUs?: number;
}

loadPreparedEnv();
const settings = loadSettings();
const runId = randomBytes(4).toString('hex');
const databaseUrl = Object.assign(new URL(settings.databaseUrl), {
  pathname: `/tessera_bench_token_${runId}`,
}).toString();
const redisPrefix = `tessera-bench-token-${runId}:`;
const masterKeyEncoded = MasterKey.generateEncoded();
const masterKey = MasterKey.fromEnv({ TESSERA_MASTER_KEY: masterKeyEncoded });
const pkcs11Module = process.env.PKCS11_MODULE || undefined;
const ONLY = process.env.BENCH_ONLY?.split(',')
  .map((v) => v.trim())
  .filter(Boolean);
const times = (n: number) => ({ cpu: n, text: `≥ ${n}×` });
/** Tessera's CPU per request at most `n` times the floor's. */
const withinFloor = (n: number) => ({ cpu: 1 / n, text: `CPU ≤ ${n}× floor` });
const ALL_SCENARIOS: Scenario[] = [
  {
    name: 'identifier token (Redis)',
    tid: 'bench-identifier',
    backend: 'software',
    format: 'identifier',
    alg: 'EdDSA',
    reference: 'opaque',
    target: times(2),
  },
  {
    name: 'JWT EdDSA',
    tid: 'bench-eddsa',
    backend: 'software',
    format: 'jwt',
    alg: 'EdDSA',
    reference: 'EdDSA',
    target: times(2.5),
  },
  { name: 'JWT ES256', tid: 'bench-es256', backend: 'software', format: 'jwt', alg: 'ES256', reference: 'ES256' },
  {
    name: 'JWT ES256 (SoftHSM)',
    tid: 'bench-es256-hsm',
    backend: 'pkcs11',
    format: 'jwt',
    alg: 'ES256',
    reference: 'ES256',
  },
  { name: 'JWT RS256', tid: 'bench-rs256', backend: 'software', format: 'jwt', alg: 'RS256', reference: 'RS256' },
  {
    name: 'default tenant (JWT ES256)',
    tid: 'bench-default',
    backend: 'default',
    format: 'jwt',
    alg: 'ES256',
    reference: 'ES256',
    defaults: true,
    target: times(1.2),
  },
  {
    name: 'introspection of an identifier token',
    tid: 'bench-introspect',
    backend: 'software',
    format: 'identifier',
    alg: 'EdDSA',
    reference: 'opaque',
    introspect: true,
  },
  {
    name: 'JWT EdDSA, against the floor',
    tid: 'bench-floor-eddsa',
    backend: 'software',
    format: 'jwt',
    alg: 'EdDSA',
    reference: 'EdDSA',
    floor: 'sodium',
    target: withinFloor(1.3),
  },
  {
    name: 'identifier token, against the floor',
    tid: 'bench-floor-identifier',
    backend: 'software',
    format: 'identifier',
    alg: 'EdDSA',
    reference: 'opaque',
    floor: 'identifier',
  },
];
const SCENARIOS = ALL_SCENARIOS.filter(
  (s) =>
    (s.backend !== 'pkcs11' || pkcs11Module !== undefined) && (!ONLY || ONLY.includes(s.tid.replace(/^bench-/, ''))),
);
if (!pkcs11Module)
  log(
    'PKCS11_MODULE is not set (run infra/dev/prepare.sh): the SoftHSM row is skipped, the default tenant uses software keys',
  );
if (SCENARIOS.length === 0)
  throw new Error(
    `BENCH_ONLY=${process.env.BENCH_ONLY} names no scenario (${ALL_SCENARIOS.map((s) => s.tid.replace(/^bench-/, '')).join(', ')})`,
  );

// A SoftHSM token directory of the bench's own; SoftHSM reads SOFTHSM2_CONF when the library initialises.
const softhsmDir = join(ROOT, '.cache', `softhsm-bench-token-${runId}`);
mkdirSync(join(softhsmDir, 'tokens'), { recursive: true });
writeFileSync(
  join(softhsmDir, 'softhsm2.conf'),
  `directories.tokendir = ${join(softhsmDir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
);
process.env.SOFTHSM2_CONF = join(softhsmDir, 'softhsm2.conf');

// One client per server, the same id and secret shape everywhere (base64url survives form-urlencoding unchanged).
const CLIENT_ID = 'bench-client';
const CLIENT_SECRET = randomBytes(24).toString('base64url');
const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
const FORM = 'application/x-www-form-urlencoded';
const BODY = 'grant_type=client_credentials';
const TOKEN_LOAD: Load = { path: '/token', body: BODY };

// ---- child processes -----------------------------------------------------------------------------

const children = new Set<ChildProcess>();
let interrupted = false;
let running: autocannon.Instance | undefined;
process.once('SIGINT', () => {
  interrupted = true; // stop the current load and clean up
  running?.stop();
});

const profileArgs = () => (process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=.cache/prof'] : []);

/** A server process pinned to CPU 0; stderr shown (minus node-oidc-provider's start-up notices). */
function startPinned(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const [command, argv] = hasTaskset
    ? (['taskset', ['-c', '0', process.execPath, ...args]] as const)
    : ([process.execPath, args] as const);
  const child = spawn(command, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.stdout?.resume();
  let buffer = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!/^oidc-provider (NOTICE|WARNING)/.test(line)) process.stderr.write(`  ${line}\n`);
    }
  });
  return child;
}

/** SIGTERM, then SIGKILL if it has not exited within 10 s (a CPU profile is written on a clean exit). */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitReady(what: string, child: ChildProcess, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (interrupted) throw new Error('interrupted');
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} was not ready within ${START_TIMEOUT_MS / 1000} s`);
}

function startTessera(port: number): ChildProcess {
  return startPinned([...profileArgs(), '--import', 'tsx', 'data-plane/src/main.ts'], {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: settings.redisUrl,
    REDIS_PREFIX: redisPrefix,
    TESSERA_MASTER_KEY: masterKeyEncoded,
    ...(pkcs11Module ? { PKCS11_MODULE: pkcs11Module } : {}),
    SOFTHSM2_CONF: process.env.SOFTHSM2_CONF,
    DATA_PLANE_PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  });
}

/** Bare node:http doing only what the floor row names (bench/support/bare-token-server.mjs). */
function startFloor(port: number, floor: Floor): ChildProcess {
  return startPinned([...profileArgs(), 'bench/support/bare-token-server.mjs'], {
    ...process.env,
    BARE_PORT: String(port),
    BARE_SIGN: floor,
    BARE_REDIS_URL: settings.redisUrl,
    BARE_REDIS_PREFIX: `${redisPrefix}floor:`,
    NODE_ENV: 'production',
  });
}

function startOidcProvider(port: number, format: Reference): ChildProcess {
  return startPinned([...profileArgs(), 'bench/support/oidc-provider-server.mjs'], {
    ...process.env,
    OIDC_PORT: String(port),
    OIDC_FORMAT: format,
    OIDC_CLIENT_ID: CLIENT_ID,
    OIDC_CLIENT_SECRET: CLIENT_SECRET,
    NODE_ENV: 'production',
  });
}

// ---- set-up, checks, load --------------------------------------------------------------------------

async function createScenarioTenant(db: Db, keyStores: KeyStores, s: Scenario, port: number): Promise<void> {
  const config = s.defaults
    ? {}
    : {
        keys: {
          backend: s.backend,
          accessTokenSigningAlgorithm: s.alg,
          idTokenSigningAlgorithm: s.alg,
          signingAlgorithms: ['EdDSA', 'ES256', 'RS256'],
        },
        tokens: { accessTokenFormat: s.format },
        grants: { grantTypes: ['client_credentials'], responseTypes: [] },
        ...(PLUGINS ? PLUGIN_CONFIG : {}),
      };
  const checked = checkCreateTenant(
    { tid: s.tid, name: s.name, issuer: `http://127.0.0.1:${port}/${s.tid}`, plan: 'bench', config },
    keyStores.defaultBackend,
  );
  if (!checked.ok) throw new Error(`tenant ${s.tid}: ${JSON.stringify(checked.errors)}`);
  await createTenant(db, keyStores, masterKey, checked.value);
  const created = await new ClientStore(db, masterKey).create(s.tid, {
    clientId: CLIENT_ID,
    metadata: {
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      response_types: [],
      redirect_uris: [],
    },
    secret: CLIENT_SECRET,
    secretExpiresAt: null,
    registrationTokenSha256: null,
  });
  if (!created) throw new Error(`client ${CLIENT_ID} exists in ${s.tid}`);
}

async function tokenRequest(
  url: string,
  headers: Record<string, string>,
): Promise<{ access_token: string; token_type: string; expires_in: number }> {
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { ...headers, authorization: BASIC, 'content-type': FORM },
    body: BODY,
  });
  const text = await response.text();
  if (response.status !== 200)
    throw new Error(
      `POST ${url}/token (${JSON.stringify(headers)}) answered ${response.status}: ${text.slice(0, 300)}`,
    );
  const body = JSON.parse(text) as { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
  if (typeof body.access_token !== 'string' || !body.access_token || !/^bearer$/i.test(String(body.token_type))) {
    throw new Error(`POST ${url}/token gave no bearer token: ${text.slice(0, 300)}`);
  }
  return body as { access_token: string; token_type: string; expires_in: number };
}

async function verifyJwt(
  what: string,
  token: string,
  jwksUrl: string,
  headers: Record<string, string>,
  alg: string,
  issuer: string,
): Promise<string> {
  const jwks = (await (await fetch(jwksUrl, { headers })).json()) as JSONWebKeySet;
  try {
    const { protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
      algorithms: [alg],
      issuer,
      typ: 'at+jwt',
    });
    return protectedHeader.kid ?? '';
  } catch (err) {
    throw new Error(`${what}: the access token does not verify with jose against ${jwksUrl}`, { cause: err });
  }
}

/** One token of the scenario, checked, before the scenario is timed. */
async function checkTessera(
  db: Db,
  url: string,
  port: number,
  s: Scenario,
  defaultBackend: 'software' | 'pkcs11',
): Promise<void> {
  const headers = { 'tenant-id': s.tid };
  const issuer = `http://127.0.0.1:${port}/${s.tid}`;
  const { access_token: token } = await tokenRequest(url, headers);
  if (s.format === 'identifier') {
    if (token.split('.').length === 3) throw new Error(`${s.name}: expected an identifier, got a JWT`);
    const response = await fetch(`${url}/token/introspect`, {
      method: 'POST',
      headers: { ...headers, authorization: BASIC, 'content-type': FORM },
      body: new URLSearchParams({ token }),
    });
    const body = (await response.json()) as { active?: boolean };
    if (response.status !== 200 || body.active !== true)
      throw new Error(
        `${s.name}: the identifier token does not introspect as active (${response.status} ${JSON.stringify(body)})`,
      );
    return;
  }
  const kid = await verifyJwt(s.name, token, `${url}/jwks.json`, headers, s.alg, issuer);
  const key = await db
    .selectFrom('tenant_keys')
    .select(['backend', 'alg'])
    .where('tid', '=', s.tid)
    .where('kid', '=', kid)
    .executeTakeFirst();
  const backend = s.backend === 'default' ? defaultBackend : s.backend;
  if (key?.backend !== backend || key.alg !== s.alg)
    throw new Error(`${s.name}: signed with ${JSON.stringify(key)}, expected a ${backend} ${s.alg} key`);
}

async function checkOidcProvider(url: string, format: Reference): Promise<void> {
  const { access_token: token } = await tokenRequest(url, {});
  if (format === 'opaque') {
    if (token.includes('.')) throw new Error('node-oidc-provider opaque: expected an opaque token, got a JWT');
    return;
  }
  await verifyJwt(`node-oidc-provider ${format}`, token, `${url}/jwks`, {}, format, url);
}

/** One access token of the server, and a check that introspecting it answers active. */
async function introspectionLoad(url: string, path: string, headers: Record<string, string>): Promise<Load> {
  const { access_token: token } = await tokenRequest(url, headers);
  const body = new URLSearchParams({ token }).toString();
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { ...headers, authorization: BASIC, 'content-type': FORM },
    body,
  });
  const answer = (await response.json()) as { active?: boolean };
  if (response.status !== 200 || answer.active !== true)
    throw new Error(
      `${url}${path} does not introspect its own token as active (${response.status} ${JSON.stringify(answer)})`,
    );
  return { path, body };
}

function runLoad(url: string, headers: Record<string, string>, seconds: number, load: Load): Promise<Figure> {
  return new Promise((resolve, reject) => {
    running = autocannon(
      {
        url: `${url}${load.path}`,
        method: 'POST',
        headers: { ...headers, authorization: BASIC, 'content-type': FORM },
        body: load.body,
        connections: CONNECTIONS,
        duration: seconds,
      },
      (err: unknown, result: autocannon.Result) => {
        running = undefined;
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        if (interrupted) return reject(new Error('interrupted'));
        resolve({
          rps: result.requests.average,
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          requests: result.requests.total,
        });
      },
    );
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); undefined elsewhere. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

/**
 * Load one server and report its figures, plus the server's CPU time per
 * request: a figure that other load on the machine does not distort the way
 * it distorts req/s.
 */
async function measure(
  label: string,
  url: string,
  headers: Record<string, string>,
  load: Load,
  pid?: number,
  warmup = WARMUP_SECONDS,
): Promise<Figure> {
  await runLoad(url, headers, warmup, load);
  const before = cpuSeconds(pid);
  const figure = await runLoad(url, headers, SECONDS, load);
  const after = cpuSeconds(pid);
  if (before !== undefined && after !== undefined && figure.requests > 0)
    figure.cpuUs = ((after - before) * 1e6) / figure.requests;
  log(
    `${label}: ${figure.rps.toFixed(0)} req/s, p99 ${figure.p99} ms, ${figure.cpuUs?.toFixed(0) ?? '?'} µs CPU/request, non-2xx ${figure.non2xx}, errors ${figure.errors}`,
  );
  return figure;
}

// ---- the run ----------------------------------------------------------------------------------------

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
/** Each member the median over the rounds (so a row's figures need not come from one round). */
function medianFigure(figures: Figure[]): Figure {
  const of = (pick: (f: Figure) => number | undefined) => {
    const values = figures.map(pick).filter((v): v is number => v !== undefined);
    return values.length ? median(values) : undefined;
  };
  const sum = (pick: (f: Figure) => number) => figures.reduce((n, f) => n + pick(f), 0);
  const cpuUs = of((f) => f.cpuUs);
  return {
    rps: of((f) => f.rps)!,
    p50: of((f) => f.p50)!,
    p99: of((f) => f.p99)!,
    errors: sum((f) => f.errors),
    timeouts: sum((f) => f.timeouts),
    non2xx: sum((f) => f.non2xx),
    requests: sum((f) => f.requests),
    ...(cpuUs !== undefined ? { cpuUs } : {}),
  };
}

const FLOOR_NAMES: Record<Floor, string> = {
  sodium: 'node:http floor: one libsodium Ed25519 JWS',
  identifier: 'node:http floor: one identifier token written to Redis',
};
const referenceName = (s: Scenario) =>
  s.floor
    ? FLOOR_NAMES[s.floor]
    : `node-oidc-provider ${s.introspect ? 'introspection of an opaque token' : s.reference === 'opaque' ? 'opaque token, in-memory adapter' : `JWT ${s.reference}`}`;

const tessera = new Map<string, Figure>();
/** Tessera req/s over the reference's req/s, per round. */
const ratios = new Map<string, number[]>();
/** The reference's CPU per request over Tessera's, per round (what the targets are about). */
const cpuRatios = new Map<string, number[]>();
/** node-oidc-provider's figure next to each Tessera row (by scenario name). */
const reference = new Map<string, Figure>();
let db: Db | undefined;
let keyStores: KeyStores | undefined;
let databaseCreated = false;
const started = Date.now();
try {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  databaseCreated = true; // from here on the database may exist: drop it in any case
  await prepareDatabase(databaseUrl);
  db = createDb(databaseUrl, { max: 4 });
  keyStores = new KeyStores(db, masterKey, { pkcs11Module });
  log(`creating ${SCENARIOS.length} tenants (keys EdDSA, ES256, RS256 + RSA-OAEP-256 each)`);
  await createBenchPlan(db);
  log(`quotas ${process.env.TESSERA_QUOTAS === 'off' ? 'off' : 'on'} (TESSERA_QUOTAS)`);
  for (const s of SCENARIOS) await createScenarioTenant(db, keyStores, s, port);
  const defaultBackend = keyStores.defaultBackend;
  keyStores.close(); // the data plane opens the tokens itself
  keyStores = undefined;

  log(`Tessera data plane on ${url}`);
  const node = startTessera(port);
  try {
    await waitReady('the data plane', node, async () => (await fetch(`${url}/monitor/v1/healthcheck`)).status === 200);
    for (const s of SCENARIOS) await checkTessera(db, url, port, s, defaultBackend);
    // Per scenario, node-oidc-provider runs in a process of its own, and the two servers take the
    // load in turns, BENCH_ROUNDS times: each ratio compares two runs seconds apart, only one server
    // is under load at a time, and the medians keep one disturbed run from deciding a row.
    for (const s of SCENARIOS) {
      const oidcPort = await freePort();
      const oidcUrl = `http://127.0.0.1:${oidcPort}`;
      const oidc = s.floor ? startFloor(oidcPort, s.floor) : startOidcProvider(oidcPort, s.reference);
      try {
        if (s.floor) {
          await waitReady(
            'the node:http floor',
            oidc,
            async () => (await fetch(`${oidcUrl}/token`, { method: 'POST', body: BODY })).status === 200,
          );
          await tokenRequest(oidcUrl, {});
        } else {
          await waitReady(
            'node-oidc-provider',
            oidc,
            async () => (await fetch(`${oidcUrl}/.well-known/openid-configuration`)).status === 200,
          );
          await checkOidcProvider(oidcUrl, s.reference);
        }
        const [tesseraLoad, oidcLoad] = s.introspect
          ? [
              await introspectionLoad(url, '/token/introspect', { 'tenant-id': s.tid }),
              await introspectionLoad(oidcUrl, '/token/introspection', {}),
            ]
          : [TOKEN_LOAD, TOKEN_LOAD];
        const rounds: Array<[Figure, Figure]> = [];
        for (let round = 1; round <= ROUNDS; round++) {
          const of = ROUNDS > 1 ? ` (round ${round}/${ROUNDS})` : '';
          const warmup = round === 1 ? FIRST_WARMUP_SECONDS : WARMUP_SECONDS;
          const t = await measure(`Tessera ${s.name}${of}`, url, { 'tenant-id': s.tid }, tesseraLoad, node.pid, warmup);
          const r = await measure(`${referenceName(s)}${of}`, oidcUrl, {}, oidcLoad, oidc.pid, warmup);
          rounds.push([t, r]);
        }
        tessera.set(s.name, medianFigure(rounds.map(([t]) => t)));
        reference.set(s.name, medianFigure(rounds.map(([, r]) => r)));
        ratios.set(
          s.name,
          rounds.map(([t, r]) => t.rps / r.rps),
        );
        cpuRatios.set(
          s.name,
          rounds.flatMap(([t, r]) => (t.cpuUs && r.cpuUs ? [r.cpuUs / t.cpuUs] : [])),
        );
      } finally {
        await stop(oidc);
      }
    }
  } finally {
    await stop(node);
  }
} finally {
  running?.stop();
  await Promise.all([...children].map(stop));
  keyStores?.close();
  await db?.destroy();
  if (databaseCreated)
    await dropDatabase(databaseUrl).catch((err: unknown) => log(`could not drop ${databaseUrl}: ${String(err)}`));
  log(`removed ${await clearRedisPrefix(settings.redisUrl, redisPrefix, log)} Redis keys under ${redisPrefix}`);
  rmSync(softhsmDir, { recursive: true, force: true });
}

const x = (n: number) => `${n.toFixed(2)}×`;
console.log(
  `\nToken endpoint, client_credentials + client_secret_basic, ${SECONDS} s per run after ${WARMUP_SECONDS} s warm-up (${FIRST_WARMUP_SECONDS} s before a row's first), ${ROUNDS} alternating rounds per row (medians), ${CONNECTIONS} connections, loopback` +
    `${hasTaskset ? ', server on CPU 0, load on CPU 1' : ' (not pinned: no taskset)'}, Node ${process.version}`,
);
console.log(
  '| scenario | Tessera req/s | p50 ms | p99 ms | µs CPU/req | non-2xx | errors | reference | its req/s | its p99 ms | its µs CPU/req | its non-2xx | its errors | ratio (req/s) | ratio (CPU/req) | target (CPU/req) | CPU ratio per round |',
);
console.log(
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
);
for (const s of SCENARIOS) {
  const t = tessera.get(s.name)!;
  const r = reference.get(s.name)!;
  const cpuRounds = cpuRatios.get(s.name)!;
  const cpuRatio = cpuRounds.length ? median(cpuRounds) : undefined;
  const met = cpuRatio !== undefined && s.target !== undefined && cpuRatio >= s.target.cpu;
  const target = s.target === undefined ? '' : `${s.target.text} ${met ? 'met' : 'MISSED'}`;
  const cpu = (f: Figure) => (f.cpuUs === undefined ? '?' : f.cpuUs.toFixed(0));
  console.log(
    `| ${s.name} | ${t.rps.toFixed(0)} | ${t.p50} | ${t.p99} | ${cpu(t)} | ${t.non2xx} | ${t.errors} | ${referenceName(s)} | ${r.rps.toFixed(0)} | ${r.p99} | ${cpu(r)} | ${r.non2xx} | ${r.errors} | ${x(median(ratios.get(s.name)!))} | ${cpuRatio === undefined ? '?' : x(cpuRatio)} | ${target} | ${cpuRounds.map(x).join(' ')} |`,
  );
}
console.log(`\n(total ${((Date.now() - started) / 1000).toFixed(0)} s)`);
