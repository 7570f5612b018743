/**
 * Serves the single-page app example: index.html for `/` and `/callback`,
 * app.js bundled for the browser with esbuild (openid-client and its
 * dependencies in one ES module), and /config.json with the issuer and
 * client id from the environment.
 *
 *   TESSERA_ISSUER=http://localhost:8080/demo CLIENT_ID=… PORT=5173 \
 *   node --import tsx examples/single-page-app/main.ts
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import { env } from '../shared/env.ts';

const here = import.meta.dirname;
const settings = JSON.stringify({
  issuer: env('TESSERA_ISSUER'),
  clientId: env('CLIENT_ID'),
  scope: env('SCOPE', 'openid profile offline_access'),
});
const page = readFileSync(join(here, 'index.html'));
const bundle = await build({
  entryPoints: [join(here, 'app.js')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
});
const script = bundle.outputFiles[0]!.contents;

const files: Record<string, [type: string, body: Uint8Array | string]> = {
  '/': ['text/html; charset=utf-8', page],
  '/callback': ['text/html; charset=utf-8', page],
  '/app.js': ['text/javascript; charset=utf-8', script],
  '/config.json': ['application/json', settings],
};

const server = createServer((req, res) => {
  const file = files[new URL(req.url!, 'http://localhost').pathname];
  if (!file) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': file[0], 'cache-control': 'no-store' }).end(file[1]);
});
server.listen(Number(process.env.PORT ?? 5173), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`single-page app at http://127.0.0.1:${port}/`);
});
