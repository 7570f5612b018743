/**
 * The floor for bench/http-floor.ts: a bare server that reads a form body and
 * answers a token-shaped JSON, nothing else: no routing, no client
 * authentication, no tenant. Prints "ready" once listening on BARE_PORT.
 *
 *   BARE_SIGN  none | node (one Ed25519 JWS per request, node:crypto) | sodium (the same, libsodium)
 *   BARE_HTTP  http (node:http) | net (a minimal HTTP/1.1 loop on node:net: Content-Length bodies, one write per answer)
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import sodium from 'sodium-native';

const port = Number(process.env.BARE_PORT);
const signing = process.env.BARE_SIGN ?? 'none';
const { privateKey } = generateKeyPairSync('ed25519');
const sodiumKey = sodium.sodium_malloc(sodium.crypto_sign_SECRETKEYBYTES);
sodium.crypto_sign_seed_keypair(Buffer.alloc(32), sodiumKey, Buffer.from(privateKey.export({ format: 'jwk' }).d, 'base64url'));
const header = Buffer.from('{"alg":"EdDSA","typ":"at+jwt"}').toString('base64url');

function answer() {
  let token = randomBytes(32).toString('base64url');
  if (signing !== 'none') {
    const payload = Buffer.from(JSON.stringify({ iss: 'http://127.0.0.1', sub: 'bench-client', iat: Date.now(), jti: token })).toString('base64url');
    const input = Buffer.from(`${header}.${payload}`);
    let signature;
    if (signing === 'sodium') {
      signature = Buffer.alloc(64);
      sodium.crypto_sign_detached(signature, input, sodiumKey);
    } else signature = sign(null, input, privateKey);
    token = `${header}.${payload}.${signature.toString('base64url')}`;
  }
  return JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 600 });
}

let server;
if (process.env.BARE_HTTP === 'net') {
  server = createNetServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      for (;;) {
        const headEnd = pending.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(pending.toString('latin1', 0, headEnd))?.[1] ?? 0);
        if (pending.length < headEnd + 4 + length) return;
        pending = pending.subarray(headEnd + 4 + length);
        const json = answer();
        socket.write(
          `HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(json)}\r\ncache-control: no-store\r\npragma: no-cache\r\ndate: ${new Date().toUTCString()}\r\nconnection: keep-alive\r\n\r\n${json}`,
        );
      }
    });
  });
} else {
  server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const json = answer();
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json), 'cache-control': 'no-store', pragma: 'no-cache' });
      res.end(json);
    });
  });
}
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
