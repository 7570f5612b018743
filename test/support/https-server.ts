import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, globalAgent, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A local https server with a throw-away self-signed certificate for
 * 127.0.0.1, trusted by this process's global https agent (which the data
 * plane's client-hosted document fetches use): stands in for a client's
 * sector identifier document or request_uri host.
 */
export async function startHttpsServer(
  routes: Record<string, { status?: number; type?: string; body: string | (() => string) }>,
): Promise<{ url: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-https-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const key = readFileSync(join(dir, 'key.pem'));
    const cert = readFileSync(join(dir, 'cert.pem'));
    const previous = globalAgent.options.ca;
    globalAgent.options.ca = [...(Array.isArray(previous) ? previous : previous ? [previous] : []), cert];
    const server: Server = createServer({ key, cert }, (req, res) => {
      const route = routes[req.url ?? ''];
      if (!route) return void res.writeHead(404).end();
      res.writeHead(route.status ?? 200, { 'content-type': route.type ?? 'application/json' });
      res.end(typeof route.body === 'function' ? route.body() : route.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return {
      url: `https://127.0.0.1:${port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
