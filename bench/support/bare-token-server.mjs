/**
 * The floor for bench/http-floor.ts: a bare node:http server that reads a
 * form body and answers a token-shaped JSON, optionally with one Ed25519
 * signature per request (BARE_SIGN=1). Nothing else: no routing, no client
 * authentication, no tenant. Prints "ready" once listening on BARE_PORT.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer } from 'node:http';

const port = Number(process.env.BARE_PORT);
const signing = process.env.BARE_SIGN === '1';
const { privateKey } = generateKeyPairSync('ed25519');
const header = Buffer.from('{"alg":"EdDSA","typ":"at+jwt"}').toString('base64url');

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let token = randomBytes(32).toString('base64url');
    if (signing) {
      const payload = Buffer.from(JSON.stringify({ iss: 'http://127.0.0.1', sub: 'bench-client', iat: Date.now(), jti: token })).toString('base64url');
      const input = `${header}.${payload}`;
      token = `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
    }
    const json = JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 600 });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json), 'cache-control': 'no-store', pragma: 'no-cache' });
    res.end(json);
  });
});
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
