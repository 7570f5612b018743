/**
 * Signing throughput per algorithm, and the JWT-issue rate through the KeyStore interface.
 *
 *   npm run bench:sign                 (3 s per cell; the whole run takes about two minutes)
 *
 * Cells, each run for BENCH_SECONDS after a short warm-up:
 *   - node:crypto `sign()` (synchronous) with a key made here: the floor of software signing;
 *   - the software KeyStore (node:crypto, key sealed in Postgres), one call at a time and with
 *     BENCH_IN_FLIGHT calls in flight;
 *   - SoftHSM2 with raw synchronous C_SignInit + C_Sign on one session of the bench's own (the
 *     floor of the HSM path, no thread hop, no pool);
 *   - SoftHSM2 through the PKCS#11 KeyStore, one call at a time and with BENCH_IN_FLIGHT calls in
 *     flight over a pool of BENCH_SESSIONS sessions on the tenant's token;
 *   - JWT issue (header + payload JSON, base64url, sign through the store, compact JWS) for
 *     EdDSA, ES256 and RS256 on both stores, sequential and in flight.
 * Every key first signs once and the signature is checked with jose, so no figure is the speed of
 * something broken.
 *
 * Environment:
 *   BENCH_SECONDS    seconds per cell (default 3)
 *   BENCH_CPUS       CPU list the whole bench is pinned to with taskset (default "0", one core;
 *                    "all" = no pinning)
 *   BENCH_IN_FLIGHT  concurrent sign calls in the "in flight" cells (default 16)
 *   BENCH_SESSIONS   PKCS#11 sessions per token (default 4)
 *
 * The bench uses a database and a SoftHSM token directory of its own (.cache/softhsm-bench-*)
 * and removes both afterwards.
 */

import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MasterKey } from '@tessera/shared/crypto/master-key';
import { createDb, type Db } from '@tessera/shared/db/database';
import { dropDatabase } from '@tessera/shared/db/migrate';
import { ALGORITHMS, signOptions } from '@tessera/shared/keys/algorithms';
import { signCompactJws } from '@tessera/shared/keys/jws';
import type { KeyAlgorithm, KeyInfo, KeyStore } from '@tessera/shared/keys/key-store';
import { KeyStores } from '@tessera/shared/keys/key-stores';
import { signingMechanism } from '@tessera/shared/keys/pkcs11/mechanisms';
import { type Handle, type Pkcs11, pkcs11js } from '@tessera/shared/keys/pkcs11/pkcs11-module';
import { tokenLabel } from '@tessera/shared/keys/pkcs11-key-store';
import { loadSettings } from '@tessera/shared/settings';
import { compactVerify, importJWK, type JWK } from 'jose';
import { prepareDatabase } from '../infra/dev/migrate.ts';
import { loadPreparedEnv, ROOT } from '../infra/dev/services.ts';
import { hasTaskset, positiveEnv } from './support/bench-env.ts';

const positive = positiveEnv;
const SECONDS = positive('BENCH_SECONDS', 3);
const WARMUP_SECONDS = Math.min(0.5, SECONDS / 4);
const IN_FLIGHT = Math.round(positive('BENCH_IN_FLIGHT', 16));
const SESSIONS = Math.round(positive('BENCH_SESSIONS', 4));
const CPUS = process.env.BENCH_CPUS ?? '0';

// Re-run this script pinned with taskset (one core by default), with enough libuv threads for the session pool.
if (!process.env.BENCH_PINNED) {
  const pin = hasTaskset && CPUS !== 'all';
  const args = [...process.execArgv, ...process.argv.slice(1)];
  const threads = Math.max(Number(process.env.UV_THREADPOOL_SIZE) || 4, SESSIONS);
  const env = { ...process.env, BENCH_PINNED: pin ? CPUS : 'none', UV_THREADPOOL_SIZE: String(threads) };
  const child = pin
    ? spawnSync('taskset', ['-c', CPUS, process.execPath, ...args], { stdio: 'inherit', env })
    : spawnSync(process.execPath, args, { stdio: 'inherit', env });
  process.exit(child.status ?? 1);
}

const SIGN_ALGS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const satisfies readonly KeyAlgorithm[];
const JWT_ALGS = ['EdDSA', 'ES256', 'RS256'] as const satisfies readonly KeyAlgorithm[];
type SignAlg = (typeof SIGN_ALGS)[number];

let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true; // stop at the next call and clean up
});
const log = (message: string) => process.stderr.write(`[bench:sign] ${message}\n`);
const b64 = (text: string) => Buffer.from(text).toString('base64url');
const b64bytes = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');

/** A JWS signing input of the size of a typical ID token. */
function signingInputFor(alg: string, kid: string): Buffer {
  const now = Math.floor(Date.now() / 1000);
  const header = b64(JSON.stringify({ alg, typ: 'JWT', kid }));
  const payload = b64(
    JSON.stringify({
      iss: 'https://bench.tessera.test/t-bench',
      sub: 'user-1234567890',
      aud: 'bench-client',
      iat: now,
      exp: now + 300,
      auth_time: now,
      nonce: 'n-0S6_WzA2Mj',
      email: 'someone@example.com',
      email_verified: true,
      jti: randomUUID(),
    }),
  );
  return Buffer.from(`${header}.${payload}`);
}

/** Check a compact JWS with jose against the key's public JWK. */
async function verify(what: string, compact: string, jwk: JWK, alg: string): Promise<void> {
  try {
    const { protectedHeader } = await compactVerify(compact, await importJWK(jwk, alg));
    if (protectedHeader.alg !== alg) throw new Error(`header alg ${protectedHeader.alg}`);
  } catch (err) {
    throw new Error(`${what}: the signature does not verify with jose`, { cause: err });
  }
}

/** Operations per second of `op`, called one at a time (synchronously) for `seconds`. */
function rateSync(op: () => unknown, seconds: number): number {
  const start = performance.now();
  const end = start + seconds * 1000;
  let count = 0;
  let now = start;
  while (now < end) {
    if (interrupted) throw new Error('interrupted');
    for (let i = 0; i < 16; i++) op();
    count += 16;
    now = performance.now();
  }
  return count / ((now - start) / 1000);
}

/** Operations per second of `op` with `inFlight` calls outstanding at all times, for `seconds`. */
async function rate(op: () => Promise<unknown>, inFlight: number, seconds: number): Promise<number> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let count = 0;
  const worker = async () => {
    while (performance.now() < end) {
      if (interrupted) throw new Error('interrupted');
      await op();
      count += 1;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return count / ((performance.now() - start) / 1000);
}

async function cell(label: string, op: () => Promise<unknown>, inFlight: number): Promise<number> {
  await rate(op, inFlight, WARMUP_SECONDS);
  const value = await rate(op, inFlight, SECONDS);
  log(`${label}: ${Math.round(value)}/s`);
  return value;
}

function nodeKeyPair(alg: SignAlg): KeyObject {
  const spec = ALGORITHMS[alg];
  if (spec.kty === 'RSA') return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  if (spec.kty === 'EC') return generateKeyPairSync('ec', { namedCurve: spec.crv! }).privateKey;
  return generateKeyPairSync('ed25519').privateKey;
}

/** Issue one JWT through a store with the production JWS builder (shared/src/keys/jws.ts). */
let jti = 0;
async function issueJwt(store: KeyStore, tid: string, key: KeyInfo): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signCompactJws(
    store,
    tid,
    { kid: key.kid, alg: key.alg },
    {
      iss: `https://bench.tessera.test/${tid}`,
      sub: `user-${jti % 1000}`,
      aud: 'bench-client',
      iat: now,
      exp: now + 300,
      jti: `${now.toString(36)}-${(jti++).toString(36)}`,
    },
  );
}

/**
 * A session of the bench's own on the tenant's token, for raw C_Sign. It goes through a second
 * handle on the library the KeyStore already initialised (no C_Initialize here) and shares the
 * store's login (PKCS#11 login state is per application), so it needs no PIN. Call it after the
 * store has signed with the token.
 */
function rawSession(modulePath: string, tid: string): { lib: Pkcs11; session: Handle; close: () => void } {
  const lib = new pkcs11js.PKCS11();
  lib.load(modulePath);
  const label = tokenLabel(tid);
  const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.replace(/[\s\u0000]+$/u, '') === label);
  if (!slot) throw new Error(`no token ${label}`);
  const session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
  return { lib, session, close: () => lib.C_CloseSession(session) };
}

function findPrivateKey(lib: Pkcs11, session: Handle, kid: string): Handle {
  lib.C_FindObjectsInit(session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
    { type: pkcs11js.CKA_ID, value: Buffer.from(kid) },
  ]);
  try {
    const handle = lib.C_FindObjects(session);
    if (!handle) throw new Error(`no private key ${kid} on the token`);
    return handle;
  } finally {
    lib.C_FindObjectsFinal(session);
  }
}

async function createTenant(db: Db, tid: string): Promise<void> {
  await db
    .insertInto('tenants')
    .values({
      tid,
      name: tid,
      issuer: `https://bench.tessera.test/${tid}`,
      status: 'active',
      plan: 'free',
      attrs: '{}',
      config_version: 1,
      status_reason: null,
    })
    .execute();
  await db.insertInto('tenant_configs').values({ tid, version: 1, config: '{}' }).execute();
}

/** Keys of one store for SIGN_ALGS, each checked with one signature and one JWT. */
async function prepareStore(db: Db, store: KeyStore, tid: string): Promise<Map<SignAlg, KeyInfo>> {
  await createTenant(db, tid);
  await store.ensureTenant(tid);
  const infos = await store.generate(
    tid,
    SIGN_ALGS.map((alg) => ({ alg, rsaKeySize: 2048 as const })),
  );
  const keys = new Map<SignAlg, KeyInfo>();
  for (const alg of SIGN_ALGS) {
    const key = infos.find((k) => k.alg === alg);
    if (!key) throw new Error(`${store.backend} store made no ${alg} key`);
    const input = signingInputFor(alg, key.kid);
    const signature = await store.sign(tid, { kid: key.kid, alg }, input);
    await verify(`${store.backend} ${alg}`, `${input.toString()}.${b64bytes(signature)}`, key.jwk as JWK, alg);
    await verify(`${store.backend} ${alg} JWT`, await issueJwt(store, tid, key), key.jwk as JWK, alg);
    keys.set(alg, key);
  }
  return keys;
}

loadPreparedEnv();
const settings = loadSettings();
const runId = randomBytes(4).toString('hex');
const databaseUrl = Object.assign(new URL(settings.databaseUrl), {
  pathname: `/tessera_bench_sign_${runId}`,
}).toString();
const pkcs11Module = process.env.PKCS11_MODULE || undefined;
// A token directory of the bench's own; SoftHSM reads SOFTHSM2_CONF when the library initialises.
const softhsmDir = join(ROOT, '.cache', `softhsm-bench-${runId}`);
mkdirSync(join(softhsmDir, 'tokens'), { recursive: true });
writeFileSync(
  join(softhsmDir, 'softhsm2.conf'),
  `directories.tokendir = ${join(softhsmDir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
);
process.env.SOFTHSM2_CONF = join(softhsmDir, 'softhsm2.conf');

type Row = { node: number; swSeq: number; swPool: number; hsmRaw?: number; hsmSeq?: number; hsmPool?: number };
type JwtRow = { swSeq: number; swPool: number; hsmSeq?: number; hsmPool?: number };
const signRows = new Map<SignAlg, Row>();
const jwtRows = new Map<SignAlg, JwtRow>();
let db: Db | undefined;
let stores: KeyStores | undefined;
let raw: ReturnType<typeof rawSession> | undefined;
let databaseCreated = false;
const started = performance.now();
try {
  databaseCreated = true; // from here on the database may exist: drop it in any case
  await prepareDatabase(databaseUrl);
  db = createDb(databaseUrl, { max: 4 });
  stores = new KeyStores(db, new MasterKey(randomBytes(32)), { pkcs11Module, sessionsPerToken: SESSIONS });
  const { software, pkcs11 } = stores;
  if (!pkcs11) log('PKCS11_MODULE is not set: SoftHSM cells are skipped');

  log('generating keys and checking one signature per key with jose');
  const swKeys = await prepareStore(db, software, 'bench-sw');
  const hsmKeys = pkcs11 ? await prepareStore(db, pkcs11, 'bench-hsm') : undefined;
  const nodeKeys = new Map<SignAlg, KeyObject>();
  for (const alg of SIGN_ALGS) {
    const key = nodeKeyPair(alg);
    const input = signingInputFor(alg, 'node');
    const signature = sign(ALGORITHMS[alg].hash, input, signOptions(alg, key));
    await verify(
      `node:crypto ${alg}`,
      `${input.toString()}.${b64bytes(signature)}`,
      createPublicKey(key).export({ format: 'jwk' }) as JWK,
      alg,
    );
    nodeKeys.set(alg, key);
  }
  if (pkcs11Module && hsmKeys) {
    raw = rawSession(pkcs11Module, 'bench-hsm');
    for (const [alg, key] of hsmKeys) {
      const input = signingInputFor(alg, key.kid);
      const { mechanism, data } = signingMechanism(alg, input);
      raw.lib.C_SignInit(raw.session, mechanism as never, findPrivateKey(raw.lib, raw.session, key.kid));
      const signature = raw.lib.C_Sign(raw.session, data, Buffer.alloc(1024));
      await verify(`raw C_Sign ${alg}`, `${input.toString()}.${b64bytes(signature)}`, key.jwk as JWK, alg);
    }
  }

  for (const alg of SIGN_ALGS) {
    const nodeKey = nodeKeys.get(alg)!;
    const nodeInput = signingInputFor(alg, 'node');
    const options = signOptions(alg, nodeKey);
    const hash = ALGORITHMS[alg].hash;
    rateSync(() => sign(hash, nodeInput, options), WARMUP_SECONDS);
    const node = rateSync(() => sign(hash, nodeInput, options), SECONDS);
    log(`${alg} node:crypto sync: ${Math.round(node)}/s`);

    const swKey = swKeys.get(alg)!;
    const swInput = signingInputFor(alg, swKey.kid);
    const swSign = () => software.sign('bench-sw', swKey, swInput);
    const row: Row = {
      node,
      swSeq: await cell(`${alg} software sequential`, swSign, 1),
      swPool: await cell(`${alg} software ${IN_FLIGHT} in flight`, swSign, IN_FLIGHT),
    };
    if (pkcs11 && hsmKeys && raw) {
      const hsmKey = hsmKeys.get(alg)!;
      const hsmInput = signingInputFor(alg, hsmKey.kid);
      const { lib, session } = raw;
      const handle = findPrivateKey(lib, session, hsmKey.kid);
      const out = Buffer.alloc(1024);
      // As the store does it: the mechanism (and, for ECDSA, the digest) per call, then C_SignInit + C_Sign.
      const rawSign = () => {
        const { mechanism, data } = signingMechanism(alg, hsmInput);
        lib.C_SignInit(session, mechanism as never, handle);
        return lib.C_Sign(session, data, out);
      };
      rateSync(rawSign, WARMUP_SECONDS);
      row.hsmRaw = rateSync(rawSign, SECONDS);
      log(`${alg} SoftHSM raw C_Sign: ${Math.round(row.hsmRaw)}/s`);
      const hsmSign = () => pkcs11.sign('bench-hsm', hsmKey, hsmInput);
      row.hsmSeq = await cell(`${alg} SoftHSM sequential`, hsmSign, 1);
      row.hsmPool = await cell(`${alg} SoftHSM ${IN_FLIGHT} in flight`, hsmSign, IN_FLIGHT);
    }
    signRows.set(alg, row);
  }

  for (const alg of JWT_ALGS) {
    const swKey = swKeys.get(alg)!;
    const swIssue = () => issueJwt(software, 'bench-sw', swKey);
    const row: JwtRow = {
      swSeq: await cell(`${alg} JWT software sequential`, swIssue, 1),
      swPool: await cell(`${alg} JWT software ${IN_FLIGHT} in flight`, swIssue, IN_FLIGHT),
    };
    if (pkcs11 && hsmKeys) {
      const hsmKey = hsmKeys.get(alg)!;
      const hsmIssue = () => issueJwt(pkcs11, 'bench-hsm', hsmKey);
      row.hsmSeq = await cell(`${alg} JWT SoftHSM sequential`, hsmIssue, 1);
      row.hsmPool = await cell(`${alg} JWT SoftHSM ${IN_FLIGHT} in flight`, hsmIssue, IN_FLIGHT);
    }
    jwtRows.set(alg, row);
  }
} finally {
  try {
    raw?.close();
  } catch {
    // closed with the library below in any case
  }
  stores?.close();
  await db?.destroy();
  if (databaseCreated)
    await dropDatabase(databaseUrl).catch((err: unknown) => log(`could not drop ${databaseUrl}: ${String(err)}`));
  rmSync(softhsmDir, { recursive: true, force: true });
}

const fmt = (n: number | undefined) => (n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US'));
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(2)}×`;
const pinned = process.env.BENCH_PINNED;
const where =
  pinned && pinned !== 'none' ? `pinned to CPU ${pinned} with taskset` : `not pinned (${cpus().length} CPUs)`;
const pool = `${IN_FLIGHT} in flight`;
const hsmPool = `${IN_FLIGHT} in flight, ${SESSIONS} sessions`;

console.log(
  `\nSigning throughput, ${SECONDS} s per cell, ${where}, Node ${process.version}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE}, PKCS#11 module ${pkcs11Module ?? 'none'}; RSA 2048; every key checked with jose first`,
);
console.log('\nSignatures per second');
console.log(
  `| alg | node:crypto sync | software store, sequential | software store, ${pool} | SoftHSM raw C_Sign sync | SoftHSM store, sequential | SoftHSM store, ${hsmPool} | SoftHSM pool ÷ sequential |`,
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [alg, r] of signRows) {
  console.log(
    `| ${alg} | ${fmt(r.node)} | ${fmt(r.swSeq)} | ${fmt(r.swPool)} | ${fmt(r.hsmRaw)} | ${fmt(r.hsmSeq)} | ${fmt(r.hsmPool)} | ${ratio(r.hsmPool, r.hsmSeq)} |`,
  );
}
console.log('\nJWTs issued per second through the KeyStore (JSON header + payload, base64url, sign, compact JWS)');
console.log(`| alg | software, sequential | software, ${pool} | SoftHSM, sequential | SoftHSM, ${hsmPool} |`);
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [alg, r] of jwtRows) {
  console.log(`| ${alg} | ${fmt(r.swSeq)} | ${fmt(r.swPool)} | ${fmt(r.hsmSeq)} | ${fmt(r.hsmPool)} |`);
}
console.log(`\n(total ${((performance.now() - started) / 1000).toFixed(0)} s)`);
