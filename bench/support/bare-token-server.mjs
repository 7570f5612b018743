/**
 * The floor for bench/token.ts and bench/http-floor.ts: bare node:http that
 * reads a form body and answers a token-shaped JSON, nothing else: no
 * routing, no client authentication, no tenant. Prints "ready" once
 * listening on BARE_PORT.
 *
 *   BARE_SIGN  none (a random token)
 *              node | sodium (one Ed25519 JWS per request, node:crypto | libsodium — Tessera's software EdDSA signer)
 *              identifier (an identifier token as Tessera mints it — 128 random bits and an HMAC tag — whose
 *              SHA-256 is written to Redis with a JSON record and a TTL, one SET … EX as Tessera's store does;
 *              BARE_REDIS_URL, BARE_REDIS_PREFIX)
 *   BARE_EVENT  xadd: also write a token.issued-shaped event (an envelope as JSON, one `e` field) to the
 *              outbox stream with one XADD per request and await it, as Tessera must since every token
 *              response is an audited event (docs/events.md); none (default): no event
 */
import { createHash, createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer } from 'node:http';
import sodium from 'sodium-native';

const port = Number(process.env.BARE_PORT);
const signing = process.env.BARE_SIGN ?? 'none';
if (!['none', 'node', 'sodium', 'identifier'].includes(signing)) throw new Error(`unknown BARE_SIGN ${signing}`);
const { privateKey } = generateKeyPairSync('ed25519');
const sodiumKey = sodium.sodium_malloc(sodium.crypto_sign_SECRETKEYBYTES);
sodium.crypto_sign_seed_keypair(
  Buffer.alloc(32),
  sodiumKey,
  Buffer.from(privateKey.export({ format: 'jwk' }).d, 'base64url'),
);
const header = Buffer.from('{"alg":"EdDSA","typ":"at+jwt"}').toString('base64url');
const hmacKey = randomBytes(32);
const eventing = process.env.BARE_EVENT ?? 'none';
if (!['none', 'xadd'].includes(eventing)) throw new Error(`unknown BARE_EVENT ${eventing}`);

let redis;
if (signing === 'identifier' || eventing === 'xadd') {
  const { Redis } = await import('ioredis');
  redis = new Redis(process.env.BARE_REDIS_URL ?? 'redis://127.0.0.1:6379', {
    keyPrefix: process.env.BARE_REDIS_PREFIX ?? 'bare:',
  });
  await redis.ping();
}

const json = (token) => JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 600 });

function jws() {
  const iat = Math.floor(Date.now() / 1000);
  const claims = {
    iss: 'http://127.0.0.1/bench',
    sub: 'bench-client',
    aud: 'urn:bench',
    client_id: 'bench-client',
    iat,
    exp: iat + 600,
    jti: randomBytes(16).toString('base64url'),
  };
  const input = Buffer.from(`${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`);
  let signature;
  if (signing === 'sodium') {
    signature = Buffer.alloc(64);
    sodium.crypto_sign_detached(signature, input, sodiumKey);
  } else signature = sign(null, input, privateKey);
  return `${input.toString()}.${signature.toString('base64url')}`;
}

async function identifier() {
  const random = randomBytes(16);
  const tag = createHmac('sha256', hmacKey).update('at').update('\u0000').update(random).digest().subarray(0, 16);
  const token = Buffer.concat([random, tag]).toString('base64url');
  const iat = Math.floor(Date.now() / 1000);
  const record = {
    authz: { sub: 'bench-client', cid: 'bench-client', scp: [], aud: [] },
    iss: 'http://127.0.0.1/bench',
    iat,
    exp: iat + 600,
    jti: randomBytes(16).toString('base64url'),
  };
  await redis.set(`at:bench:${createHash('sha256').update(token).digest('hex')}`, JSON.stringify(record), 'EX', 600);
  return token;
}

/** The event of one token response, shaped like Tessera's envelope (shared/src/events/event-envelope.ts). */
function tokenEvent() {
  const now = Date.now();
  return JSON.stringify({
    id: randomBytes(16).toString('hex'),
    type: 'token.issued',
    tid: 'bench',
    occurred_at: new Date(now).toISOString(),
    actor: 'client:bench-client',
    data: {
      grant_type: 'client_credentials',
      client_id: 'bench-client',
      sub: 'bench-client',
      scope: [],
      issued: ['access_token'],
      access: {
        jti: randomBytes(16).toString('base64url'),
        format: 'jwt',
        expires_at: new Date(now + 600_000).toISOString(),
      },
    },
  });
}

const answers = {
  none: async () => json(randomBytes(32).toString('base64url')),
  node: async () => json(jws()),
  sodium: async () => json(jws()),
  identifier: async () => json(await identifier()),
};
const token = answers[signing];
const make =
  eventing === 'xadd'
    ? async () => {
        const body = await token();
        await redis.xadd('events:outbox', '*', 'e', tokenEvent());
        return body;
      }
    : token;
/** Named `answer` so that bench/support/profile-summary.mjs finds the requests in a profile. */
const answer = () => make();

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    answer().then(
      (body) => {
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          'cache-control': 'no-store',
          pragma: 'no-cache',
        });
        res.end(body);
      },
      () => {
        res.writeHead(500);
        res.end();
      },
    );
  });
});
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () =>
    server.close(() => {
      redis?.disconnect();
      process.exit(0);
    }),
  );
