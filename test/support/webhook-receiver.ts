import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, globalAgent } from 'node:https';
import { selfSignedLoopbackCertificate } from './self-signed.ts';

/** One request a receiver got. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** What the receiver answers a request with (default: 200 `{}`); `delayMs` holds the answer back. */
export interface ReceiverAnswer {
  status?: number;
  body?: string;
  delayMs?: number;
}

export interface WebhookReceiver {
  /** The receiver's base URL (https://127.0.0.1:<port>, or http:// with `tls: false`). */
  url: string;
  /** Every request, in order of arrival. */
  requests: ReceivedRequest[];
  /** Change how it answers from now on. */
  answer(handler: (request: ReceivedRequest) => ReceiverAnswer): void;
  close(): Promise<void>;
}

/**
 * A tenant's webhook endpoint on loopback, for tests: a real HTTPS server
 * with a throw-away self-signed certificate that this process's global
 * https agent trusts (as test/support/https-server.ts), recording what it
 * receives and answering as the test says.
 */
export async function startWebhookReceiver(
  handler: (request: ReceivedRequest) => ReceiverAnswer = () => ({}),
  options: { tls?: boolean } = {},
): Promise<WebhookReceiver> {
  let answer = handler;
  const requests: ReceivedRequest[] = [];
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      const { status = 200, body = '{}', delayMs = 0 } = answer(received);
      const send = () => {
        if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(body);
      };
      if (delayMs > 0) setTimeout(send, delayMs).unref();
      else send();
    });
  };
  const tls = options.tls !== false;
  let server: ReturnType<typeof createHttpServer>;
  if (tls) {
    const { key, cert } = selfSignedLoopbackCertificate();
    const previous = globalAgent.options.ca;
    globalAgent.options.ca = [...(Array.isArray(previous) ? previous : previous ? [previous] : []), cert];
    server = createHttpsServer({ key, cert }, serve);
  } else server = createHttpServer(serve);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    answer: (next) => {
      answer = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
