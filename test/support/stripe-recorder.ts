import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the SDK sent to Stripe, as the recorder saw it. */
export interface RecordedStripeRequest {
  method: string;
  /** The path without the query, e.g. `/v1/subscriptions/sub_123`. */
  path: string;
  idempotencyKey: string | undefined;
  /** The form body (Stripe's encoding: `items[0][price]=…`, `metadata[tid]=…`). */
  form: URLSearchParams;
}

export interface StripeRecorder {
  /** Point the SDK here (settings.stripe.apiBase). */
  url: string;
  requests: RecordedStripeRequest[];
  /** Requests whose form or idempotency key names this tenant (`metadata[tid]`, `tessera:<tid>:…`). */
  forTenant(tid: string): RecordedStripeRequest[];
  /** Answer the next `count` requests to paths starting with `prefix` with a Stripe error (400: the SDK does not retry it). */
  refuse(method: string, prefix: string, count?: number): void;
  close(): Promise<void>;
}

const forwarded = (headers: IncomingHttpHeaders): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !['host', 'connection', 'content-length'].includes(name))
      out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
};

/**
 * A recording proxy in front of the run's stripe-mock (STRIPE_API_BASE):
 * stripe-mock keeps no state, so what the SDK sent is asserted on here —
 * method, path, Idempotency-Key and form body of every request.
 */
export async function startStripeRecorder(target = process.env.STRIPE_API_BASE): Promise<StripeRecorder> {
  if (!target) throw new Error('STRIPE_API_BASE is not set: run the tests through npm test');
  const requests: RecordedStripeRequest[] = [];
  const refusals: { method: string; prefix: string; count: number }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://recorder');
      const key = req.headers['idempotency-key'];
      requests.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        idempotencyKey: typeof key === 'string' ? key : undefined,
        form: new URLSearchParams(body.toString('utf8')),
      });
      const refusal = refusals.find((r) => r.count > 0 && r.method === req.method && url.pathname.startsWith(r.prefix));
      if (refusal) {
        refusal.count--;
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { type: 'invalid_request_error', message: 'refused by the test recorder' } }));
        return;
      }
      fetch(new URL(`${url.pathname}${url.search}`, target), {
        method: req.method ?? 'GET',
        headers: forwarded(req.headers),
        ...(body.length > 0 ? { body } : {}),
      }).then(
        async (upstream) => {
          const text = Buffer.from(await upstream.arrayBuffer());
          res.writeHead(upstream.status, {
            'content-type': upstream.headers.get('content-type') ?? 'application/json',
          });
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(String(err));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    forTenant: (tid) =>
      requests.filter(
        (r) => r.form.get('metadata[tid]') === tid || (r.idempotencyKey?.startsWith(`tessera:${tid}:`) ?? false),
      ),
    refuse(method, prefix, count = 1) {
      refusals.push({ method, prefix, count });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
