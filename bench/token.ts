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
 *   - DPoP: JWT ES256 bound to the client's key (RFC 9449), a fresh proof per request (made by the load
 *     generator, bench/support/dpop-proofs.ts)  vs  node-oidc-provider with DPoP doing the same
 *   - floor rows: JWT EdDSA and identifier token  vs  bare node:http answering with the same libsodium
 *     signature, or the same Redis write, and the same token.issued event write to the outbox stream (one
 *     awaited XADD, as every Tessera token response makes since issue 14; BENCH_FLOOR_EVENT=off leaves it out
 *     of the floor to compare with earlier figures) (bench/support/bare-token-server.mjs)
 * When a row with a target and the floor row of the same work both run (identifier + floor-identifier, eddsa +
 * floor-eddsa), a second table sets the CPU per request the target allows (node-oidc-provider's ÷ the factor)
 * beside the floor's: a budget under the floor is one no server keeping that work can meet.
 * Each Tessera row has a tenant of its own (one client, client_secret_basic, client_credentials only),
 * addressed with the `Tenant-ID` header. node-oidc-provider runs as configured in
 * docs/platform-notes.md (bench/support/oidc-provider-server.mjs). Targets (issue 12) compare the
 * servers' CPU time per request, median over the rounds.
 *
 * Every server runs with the node flags the data plane ships with (infra/build/node-flags.ts), so none is
 * tuned and the other not. Both servers run as child processes pinned to CPU 0 (taskset, where present); autocannon runs
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
 *   BENCH_FLOOR_EVENT off: the floor rows write no event (the floor as it was before token events)
 *   BENCH_CPU_PROF   when set, each server process writes a V8 CPU profile into .cache/prof
 *   BENCH_ONLY       comma list of rows to run: identifier, eddsa, es256, es256-hsm, rs256, default, introspect,
 *                    dpop, floor-eddsa, floor-identifier (default all)
 *   TESSERA_METERING off: the Tessera node runs without usage metering (passed on to it, as all of the
 *                    environment is), to compare its cost: run once with and once without, in turns
 *   TESSERA_QUOTAS   passed to the data plane: `off` leaves out the plans' rate limits and hard caps. The bench
 *                    tenants are on a plan of their own (`bench`) whose limits are never reached, so a run with
 *                    them on measures the cost of checking, not refusals; compare runs with and without.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '@tessera/shared/db/database';
import { KeyStores } from '@tessera/shared/keys/key-stores';
import { decodeJwt } from 'jose';
import { freePort, ROOT } from '../infra/dev/services.ts';
import { type Figure, type LoadTarget, measure, median } from './support/autocannon-load.ts';
import { BenchClient, CLIENT_CREDENTIALS, verifyJwt } from './support/bench-client.ts';
import { hasTaskset, pinSelf, positiveEnv } from './support/bench-env.ts';
import { createBenchPlan } from './support/bench-plan.ts';
import { BenchScope } from './support/bench-scope.ts';
import { createBenchTenant } from './support/bench-tenant.ts';
import { benchNodeFlags } from './support/compiled-data-plane.ts';
import { dpopProofs } from './support/dpop-proofs.ts';
import { PinnedChildren, profileArgs } from './support/pinned-children.ts';
import { startTesseraNode } from './support/tessera-node.ts';

// Re-run this script pinned to CPU 1 so the load generator never shares the server's core.
pinSelf('1');

const positive = positiveEnv;
const SECONDS = positive('BENCH_SECONDS', 10);
const ROUNDS = positive('BENCH_ROUNDS', 3);
const WARMUP_SECONDS = 3;
/** The first run of each server in a row warms up longer: a fresh node-oidc-provider process is still being optimised by V8. */
const FIRST_WARMUP_SECONDS = 10;
const CONNECTIONS = 10;
/** The floor writes the token's event too (the same Redis write as Tessera's outbox), unless BENCH_FLOOR_EVENT=off. */
const FLOOR_EVENT = process.env.BENCH_FLOOR_EVENT !== 'off';
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
  /**
   * The floor row doing the same durable work as this row (the same signature, or the same Redis write, and the
   * event): when both run, the report sets the CPU this row's target allows beside what that floor uses.
   */
  sameWorkAs?: Floor;
  /** Load the introspection endpoint with one token of the scenario instead of the token endpoint. */
  introspect?: boolean;
  /** Send a fresh DPoP proof with every token request: the tokens are DPoP-bound. */
  dpop?: boolean;
}
/** What autocannon sends: a path (the token or introspection endpoint), its form body, and DPoP proofs. */
type Load = Pick<LoadTarget, 'path' | 'body' | 'dpop'>;

const scope = new BenchScope('token');
const { settings, runId, redisPrefix, masterKey } = scope;
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
    sameWorkAs: 'identifier',
  },
  {
    name: 'JWT EdDSA',
    tid: 'bench-eddsa',
    backend: 'software',
    format: 'jwt',
    alg: 'EdDSA',
    reference: 'EdDSA',
    target: times(2.5),
    sameWorkAs: 'sodium',
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
    name: 'JWT ES256, DPoP-bound (a fresh proof per request)',
    tid: 'bench-dpop',
    backend: 'software',
    format: 'jwt',
    alg: 'ES256',
    reference: 'ES256',
    dpop: true,
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
const client = new BenchClient();
const TOKEN_LOAD: Load = { path: '/token', body: CLIENT_CREDENTIALS };

// ---- child processes -----------------------------------------------------------------------------

const children = new PinnedChildren();

/** Bare node:http doing only what the floor row names (bench/support/bare-token-server.mjs). */
function startFloor(port: number, floor: Floor): ChildProcess {
  return children.start([...profileArgs(), ...benchNodeFlags(), 'bench/support/bare-token-server.mjs'], {
    ...process.env,
    BARE_PORT: String(port),
    BARE_SIGN: floor,
    BARE_EVENT: FLOOR_EVENT ? 'xadd' : 'none',
    BARE_REDIS_URL: settings.redisUrl,
    BARE_REDIS_PREFIX: `${redisPrefix}floor:`,
    NODE_ENV: 'production',
  });
}

/** node-oidc-provider, its start-up notices left out. */
function startOidcProvider(port: number, format: Reference): ChildProcess {
  return children.start(
    [...profileArgs(), ...benchNodeFlags(), 'bench/support/oidc-provider-server.mjs'],
    {
      ...process.env,
      OIDC_PORT: String(port),
      OIDC_FORMAT: format,
      OIDC_CLIENT_ID: client.id,
      OIDC_CLIENT_SECRET: client.secret,
      NODE_ENV: 'production',
    },
    /^oidc-provider (NOTICE|WARNING)/,
  );
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
      };
  const issuer = `http://127.0.0.1:${port}/${s.tid}`;
  await createBenchTenant(db, keyStores, masterKey, { tid: s.tid, name: s.name, issuer, config }, client);
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
  const { access_token: token } = await client.token(url, headers);
  if (s.format === 'identifier') {
    if (token.split('.').length === 3) throw new Error(`${s.name}: expected an identifier, got a JWT`);
    const response = await fetch(`${url}/token/introspect`, {
      method: 'POST',
      headers: client.headers(headers),
      body: new URLSearchParams({ token }),
    });
    const body = (await response.json()) as { active?: boolean };
    if (response.status !== 200 || body.active !== true)
      throw new Error(
        `${s.name}: the identifier token does not introspect as active (${response.status} ${JSON.stringify(body)})`,
      );
    return;
  }
  const { kid } = await verifyJwt(s.name, token, `${url}/jwks.json`, headers, s.alg, issuer);
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
  const { access_token: token } = await client.token(url);
  if (format === 'opaque') {
    if (token.includes('.')) throw new Error('node-oidc-provider opaque: expected an opaque token, got a JWT');
    return;
  }
  await verifyJwt(`node-oidc-provider ${format}`, token, `${url}/jwks`, {}, format, url);
}

/** One access token of the server, and a check that introspecting it answers active. */
async function introspectionLoad(url: string, path: string, headers: Record<string, string>): Promise<Load> {
  const { access_token: token } = await client.token(url, headers);
  const body = new URLSearchParams({ token }).toString();
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: client.headers(headers),
    body,
  });
  const answer = (await response.json()) as { active?: boolean };
  if (response.status !== 200 || answer.active !== true)
    throw new Error(
      `${url}${path} does not introspect its own token as active (${response.status} ${JSON.stringify(answer)})`,
    );
  return { path, body };
}

/**
 * The load of a DPoP row: a proof maker for the server's token endpoint URL, and a check that a
 * proof gets a DPoP-bound token (token_type DPoP, cnf.jkt the key's thumbprint).
 */
async function dpopLoad(url: string, htu: string, headers: Record<string, string>): Promise<Load> {
  const proofs = dpopProofs('POST', htu);
  const { access_token: token } = await client.token(url, { ...headers, dpop: proofs.next() });
  const cnf = decodeJwt(token).cnf as { jkt?: string } | undefined;
  if (cnf?.jkt !== proofs.jkt)
    throw new Error(`${htu}: the token is not bound to the proof's key (${JSON.stringify(cnf)})`);
  return { ...TOKEN_LOAD, dpop: proofs.next };
}

/** Warm up, then load the server (process `pid`) and report its figures with its CPU per request. */
const measureRun = (label: string, target: LoadTarget, pid: number | undefined, warmup: number) =>
  measure(label, target, pid, { warmup, seconds: SECONDS, connections: CONNECTIONS }, log);

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
const floorName = (floor: Floor) => `${FLOOR_NAMES[floor]}${FLOOR_EVENT ? ', and its event (one XADD)' : ''}`;
const referenceName = (s: Scenario) =>
  s.floor
    ? floorName(s.floor)
    : `node-oidc-provider ${s.introspect ? 'introspection of an opaque token' : s.reference === 'opaque' ? 'opaque token, in-memory adapter' : `JWT ${s.reference}${s.dpop ? ', DPoP-bound (a fresh proof per request)' : ''}`}`;

const tessera = new Map<string, Figure>();
/** Tessera req/s over the reference's req/s, per round. */
const ratios = new Map<string, number[]>();
/** The reference's CPU per request over Tessera's, per round (what the targets are about). */
const cpuRatios = new Map<string, number[]>();
/** node-oidc-provider's figure next to each Tessera row (by scenario name). */
const reference = new Map<string, Figure>();
let keyStores: KeyStores | undefined;
const started = Date.now();
try {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const db = await scope.createDatabase();
  keyStores = new KeyStores(db, masterKey, { pkcs11Module });
  log(`creating ${SCENARIOS.length} tenants (keys EdDSA, ES256, RS256 + RSA-OAEP-256 each)`);
  await createBenchPlan(db);
  log(`quotas ${process.env.TESSERA_QUOTAS === 'off' ? 'off' : 'on'} (TESSERA_QUOTAS)`);
  for (const s of SCENARIOS) await createScenarioTenant(db, keyStores, s, port);
  const defaultBackend = keyStores.defaultBackend;
  keyStores.close(); // the data plane opens the tokens itself
  keyStores = undefined;

  log(`Tessera data plane on ${url}`);
  const node = await startTesseraNode(children, scope, port, {
    ...(pkcs11Module ? { PKCS11_MODULE: pkcs11Module } : {}),
    SOFTHSM2_CONF: process.env.SOFTHSM2_CONF,
  });
  try {
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
          await children.waitReady(
            'the node:http floor',
            oidc,
            async () => (await fetch(`${oidcUrl}/token`, { method: 'POST', body: CLIENT_CREDENTIALS })).status === 200,
          );
          await client.token(oidcUrl);
        } else {
          await children.waitReady(
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
          : s.dpop
            ? [
                // htu: the tenant's issuer (the tenant is addressed by header; its token endpoint is under the issuer).
                await dpopLoad(url, `http://127.0.0.1:${port}/${s.tid}/token`, { 'tenant-id': s.tid }),
                await dpopLoad(oidcUrl, `${oidcUrl}/token`, {}),
              ]
            : [TOKEN_LOAD, TOKEN_LOAD];
        const rounds: Array<[Figure, Figure]> = [];
        for (let round = 1; round <= ROUNDS; round++) {
          const of = ROUNDS > 1 ? ` (round ${round}/${ROUNDS})` : '';
          const warmup = round === 1 ? FIRST_WARMUP_SECONDS : WARMUP_SECONDS;
          const tesseraTarget = { url, headers: client.headers({ 'tenant-id': s.tid }), ...tesseraLoad };
          const t = await measureRun(`Tessera ${s.name}${of}`, tesseraTarget, node.pid, warmup);
          const oidcTarget = { url: oidcUrl, headers: client.headers(), ...oidcLoad };
          const r = await measureRun(`${referenceName(s)}${of}`, oidcTarget, oidc.pid, warmup);
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
        await children.stop(oidc);
      }
    }
  } finally {
    await children.stop(node);
  }
} finally {
  await children.stopAll();
  keyStores?.close();
  await scope.remove(log);
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
budgetReport();
console.log(`\n(total ${((Date.now() - started) / 1000).toFixed(0)} s)`);

/**
 * A target against node-oidc-provider allows Tessera at most the reference's CPU per request ÷ the factor. Set
 * beside the floor that does the same durable work (bare node:http: the same signature, or the same Redis write,
 * and the awaited event), it shows whether the target can be met by any server that keeps that work: a budget
 * under the floor cannot.
 */
function budgetReport(): void {
  const rows = SCENARIOS.flatMap((s) => {
    const floorRow = SCENARIOS.find((f) => f.floor !== undefined && f.floor === s.sameWorkAs);
    const nop = reference.get(s.name)?.cpuUs;
    const floorCpu = floorRow ? reference.get(floorRow.name)?.cpuUs : undefined;
    if (!s.target || !floorRow || nop === undefined || floorCpu === undefined) return [];
    const budget = nop / s.target.cpu;
    return [
      `| ${s.name} ${s.target.text} | ${nop.toFixed(0)} | ${budget.toFixed(0)} | ${floorCpu.toFixed(0)} (${floorName(floorRow.floor!)}) | ${x(budget / floorCpu)} | ${budget < floorCpu ? 'below the floor: no server doing this work meets it' : `Tessera would have to come within ${((budget / floorCpu - 1) * 100).toFixed(0)} % of bare node:http`} |`,
    ];
  });
  if (!rows.length) return;
  console.log('\nTarget budgets against the floor (µs CPU per request, medians)');
  console.log('| target | node-oidc-provider | budget (÷ factor) | floor, same durable work | budget ÷ floor | |');
  console.log('| --- | ---: | ---: | --- | ---: | --- |');
  for (const row of rows) console.log(row);
}
