import type { IncomingHttpHeaders } from 'node:http';
import { createServer, globalAgent, type Server } from 'node:https';
import { selfSignedLoopbackCertificate } from './self-signed.ts';

export interface ReceivedCall {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** What it was answered. */
  status: number;
}

export interface EventReceiver {
  url: string;
  /** Every POST that reached it, in order (those it refused too). */
  calls: ReceivedCall[];
  /** What a path answers (default 200). */
  answer: Record<string, number>;
  /** Stop listening: connections are refused until `up`. */
  down(): Promise<void>;
  /** Listen again, on the same port (nothing when it listens). */
  up(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real HTTPS webhook receiver on loopback (self-signed certificate,
 * trusted by this process's global agent, whose `ca` the outbound fetcher
 * uses): records each call and answers each path with its status.
 */
export async function startEventReceiver(): Promise<EventReceiver> {
  const { key, cert } = selfSignedLoopbackCertificate();
  const previous = globalAgent.options.ca;
  globalAgent.options.ca = [...(Array.isArray(previous) ? previous : previous ? [previous] : []), cert];
  const calls: ReceivedCall[] = [];
  const answer: Record<string, number> = {};
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    if (server) return;
    server = createServer({ key, cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        const status = answer[path] ?? 200;
        calls.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no');
      });
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return {
    url: `https://127.0.0.1:${port}`,
    calls,
    answer,
    down: stop,
    up: listen,
    close: stop,
  };
}
