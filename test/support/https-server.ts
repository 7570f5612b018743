import { createServer, globalAgent, type Server } from 'node:https';
import { selfSignedLoopbackCertificate } from './self-signed.ts';

/**
 * A local https server with a throw-away self-signed certificate for
 * 127.0.0.1, trusted by this process's global https agent (which the data
 * plane's client-hosted document fetches use): stands in for a client's
 * sector identifier document or request_uri host.
 */
export async function startHttpsServer(
  routes: Record<string, { status?: number; type?: string; body: string | (() => string) }>,
): Promise<{ url: string; close(): Promise<void> }> {
  const { key, cert } = selfSignedLoopbackCertificate();
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
}
