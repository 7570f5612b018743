/**
 * The floor for bench/authorize.ts: bare node:http doing, per authorization-code flow, only the durable work
 * and signatures Tessera's flow does (its four requests as bench/authorize.ts sends them), nothing else: no
 * tenant, no client or API-token check, no request validation, no sealing of records, no routing table.
 * Prints "ready" once listening on BARE_PORT.
 *
 *   POST /authz-sessions/rest/v3        SET the authorisation session (EX 900)
 *   PUT  …/{sid}  (auth step)           GET it; one EVAL writing the subject session and its index (as
 *                                       Tessera's subject session store does); the remembered-consent SELECT
 *                                       in PostgreSQL, with the subject.authenticated XADD; SET the session
 *   PUT  …/{sid}  (consent step)        GET it; GETDEL it with a GET of the subject session; SET the subject
 *                                       session, SET the code and the consent.given XADD, together
 *   POST /token                         GET the code; SET NX its used-marker; an ES256 access token and an
 *                                       RS256 ID token signed in SoftHSM (C_SignInit + synchronous C_Sign, the
 *                                       cheapest PKCS#11 path); the token.issued XADD
 *
 * BARE_PORT, BARE_REDIS_URL, BARE_REDIS_PREFIX, BARE_DATABASE_URL (a database with the `authorizations`
 * table), PKCS11_MODULE and SOFTHSM2_CONF (a token labelled BARE_TOKEN_LABEL with user PIN BARE_TOKEN_PIN,
 * made by the bench; the two key pairs are generated here as token objects, as Tessera keeps its keys).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { userInfo } from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import pkcs11js from 'pkcs11js';

const port = Number(process.env.BARE_PORT);
const redis = new Redis(process.env.BARE_REDIS_URL ?? 'redis://127.0.0.1:6379', {
  keyPrefix: process.env.BARE_REDIS_PREFIX ?? 'bare-flow:',
});
// A URL without a user name means the OS user, as with psql (shared/src/db/database.ts).
const databaseUrl = new URL(process.env.BARE_DATABASE_URL);
if (!databaseUrl.username) databaseUrl.username = process.env.PGUSER ?? userInfo().username;
const pool = new pg.Pool({ connectionString: databaseUrl.toString(), max: 4 });
await pool.query('SELECT 1');

// SoftHSM: one logged-in session, an RSA 2048 and a P-256 key pair on the bench's token.
const lib = new pkcs11js.PKCS11();
lib.load(process.env.PKCS11_MODULE);
lib.C_Initialize();
const slot = lib
  .C_GetSlotList(true)
  .find((s) => lib.C_GetTokenInfo(s).label.trim() === (process.env.BARE_TOKEN_LABEL ?? 'bare-flow'));
if (slot === undefined) throw new Error('no SoftHSM token for the flow floor');
const session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
lib.C_Login(session, pkcs11js.CKU_USER, process.env.BARE_TOKEN_PIN ?? '1234');
const common = (label) => [
  { type: pkcs11js.CKA_TOKEN, value: true },
  { type: pkcs11js.CKA_LABEL, value: label },
];
const rsa = lib.C_GenerateKeyPair(
  session,
  { mechanism: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN },
  [
    ...common('rs'),
    { type: pkcs11js.CKA_MODULUS_BITS, value: 2048 },
    { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
    { type: pkcs11js.CKA_VERIFY, value: true },
  ],
  [...common('rs'), { type: pkcs11js.CKA_SIGN, value: true }, { type: pkcs11js.CKA_PRIVATE, value: true }],
);
const ec = lib.C_GenerateKeyPair(
  session,
  { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN },
  [
    ...common('es'),
    // DER of the P-256 curve OID (1.2.840.10045.3.1.7).
    { type: pkcs11js.CKA_EC_PARAMS, value: Buffer.from('06082a8648ce3d030107', 'hex') },
    { type: pkcs11js.CKA_VERIFY, value: true },
  ],
  [...common('es'), { type: pkcs11js.CKA_SIGN, value: true }, { type: pkcs11js.CKA_PRIVATE, value: true }],
);

function jws(alg, claims) {
  const input = `${Buffer.from(JSON.stringify({ alg, typ: 'JWT', kid: alg })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  if (alg === 'RS256') lib.C_SignInit(session, { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, rsa.privateKey);
  else lib.C_SignInit(session, { mechanism: pkcs11js.CKM_ECDSA }, ec.privateKey);
  const data = alg === 'RS256' ? Buffer.from(input) : createHash('sha256').update(input).digest();
  const signature = lib.C_Sign(session, data, Buffer.alloc(512));
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

const hash = (value) => createHash('sha256').update(value).digest('hex');
const id = () => randomBytes(32).toString('base64url');
const event = (type, data) =>
  JSON.stringify({
    id: randomBytes(16).toString('hex'),
    type,
    tid: 'bench',
    occurred_at: new Date().toISOString(),
    data,
  });
// The subject session and its per-subject index, in one script, as Tessera's subject session store writes them.
const CREATE_SESSION = `redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[4], 'NX')
redis.call('EXPIRE', KEYS[2], ARGV[4], 'GT')`;

async function start(body) {
  const query = Object.fromEntries(new URLSearchParams(JSON.parse(body).query));
  const sid = id();
  await redis.set(`azs:${hash(sid)}`, JSON.stringify({ query, step: 'auth' }), 'EX', 900);
  return { type: 'auth', sid };
}

async function auth(sid, session, input) {
  const subSid = id();
  const now = Math.floor(Date.now() / 1000);
  const subject = { sub: input.sub, amr: input.amr, authTime: now };
  await redis.eval(
    CREATE_SESSION,
    2,
    `sess:${hash(subSid)}`,
    `sess-sub:${input.sub}`,
    JSON.stringify(subject),
    28_800,
    hash(subSid),
    28_800,
  );
  await Promise.all([
    pool.query('SELECT * FROM authorizations WHERE tid = $1 AND sub = $2 AND client_id = $3 LIMIT 1', [
      'bench',
      input.sub,
      session.query.client_id,
    ]),
    redis.xadd('events:outbox', '*', 'e', event('subject.authenticated', { sub: input.sub })),
  ]);
  await redis.set(`azs:${hash(sid)}`, JSON.stringify({ ...session, step: 'consent', subSid }), 'EX', 900);
  return { type: 'consent', sid };
}

async function consent(sid, session, input) {
  const [, subject] = await Promise.all([redis.getdel(`azs:${hash(sid)}`), redis.get(`sess:${hash(session.subSid)}`)]);
  const { sub } = JSON.parse(subject);
  const code = id();
  const record = { sub, scope: input.scope, query: session.query, exp: Math.floor(Date.now() / 1000) + 600 };
  await Promise.all([
    redis.set(
      `sess:${hash(session.subSid)}`,
      JSON.stringify({ ...JSON.parse(subject), clients: ['bench-rp'] }),
      'EX',
      28_800,
    ),
    redis.set(`code:${hash(code)}`, JSON.stringify(record), 'EX', 600),
    redis.xadd('events:outbox', '*', 'e', event('consent.given', { sub })),
  ]);
  return {
    type: 'response',
    parameters: { uri: `${session.query.redirect_uri}?code=${code}&state=${session.query.state}` },
  };
}

async function token(body) {
  const params = new URLSearchParams(body);
  const code = params.get('code');
  const record = JSON.parse(await redis.get(`code:${hash(code)}`));
  if ((await redis.set(`code-used:${hash(code)}`, '1', 'EX', 900, 'NX')) !== 'OK') throw new Error('code replay');
  const iat = Math.floor(Date.now() / 1000);
  const base = { iss: 'http://127.0.0.1/bench', sub: record.sub, iat, exp: iat + 600 };
  const access_token = jws('ES256', { ...base, client_id: 'bench-rp', scope: record.scope.join(' '), jti: id() });
  const id_token = jws('RS256', { ...base, aud: 'bench-rp', nonce: record.query.nonce, auth_time: iat });
  await redis.xadd('events:outbox', '*', 'e', event('token.issued', { sub: record.sub }));
  return { access_token, id_token, refresh_token: id(), token_type: 'Bearer', expires_in: 600 };
}

/** Named `answer` so that bench/support/profile-summary.mjs finds the requests in a profile. */
async function answer(method, url, body) {
  if (url === '/token') return token(body);
  const sid = url.split('/')[4];
  if (method === 'POST') return start(body);
  const session = JSON.parse(await redis.get(`azs:${hash(sid)}`));
  return session.step === 'auth' ? auth(sid, session, JSON.parse(body)) : consent(sid, session, JSON.parse(body));
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    answer(req.method, req.url, Buffer.concat(chunks).toString('utf8')).then(
      (result) => {
        const body = JSON.stringify(result);
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          'cache-control': 'no-store',
        });
        res.end(body);
      },
      (err) => {
        process.stderr.write(`[bare-flow] ${err.message}\n`);
        res.writeHead(500);
        res.end();
      },
    );
  });
});
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  server.close();
  lib.C_Logout(session);
  lib.C_CloseSession(session);
  lib.C_Finalize();
  redis.disconnect();
  void pool.end();
  process.exit(0);
});
