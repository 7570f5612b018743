import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { FetchError, postLimited } from '../../src/http/fetch-limited.ts';
import { outboundPolicy } from '../../src/http/outbound-policy.ts';

const limits = {
  timeoutMs: 1000,
  maxBytes: 100,
  accept: 'application/json',
  policy: outboundPolicy({ allowPrivate: true }),
  allowHttp: true,
};

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A plain-http loopback server (postLimited's TLS path is the one fetchLimited's tests and the webhook tests use). */
async function serve(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
}

describe('postLimited', () => {
  it('sends the body and headers and returns any status with its body', async () => {
    let seen: { method?: string; type?: string; length?: string; body?: string } = {};
    const url = await serve((req, body, res) => {
      seen = { method: req.method, type: req.headers['content-type'], length: req.headers['content-length'], body };
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
    });
    const answer = await postLimited(url, '{"é":1}', { 'content-type': 'application/json' }, limits);
    expect(seen).toEqual({ method: 'POST', type: 'application/json', length: '8', body: '{"é":1}' });
    expect(answer).toEqual({ status: 500, body: '{"error":"boom"}', contentType: 'application/json' });
  });

  it('does not follow a redirect', async () => {
    const url = await serve((_req, _body, res) => res.writeHead(302, { location: 'http://127.0.0.1:1/' }).end());
    expect((await postLimited(url, '{}', {}, limits)).status).toBe(302);
  });

  it('fails on a slow answer, a huge answer and a refused address', async () => {
    const slow = await serve((_req, _body, res) => setTimeout(() => res.end('{}'), 2000).unref());
    await expect(postLimited(slow, '{}', {}, { ...limits, timeoutMs: 100 })).rejects.toThrow(
      new FetchError('timed out'),
    );
    await close?.();
    const huge = await serve((_req, _body, res) => res.end('x'.repeat(1000)));
    await expect(postLimited(huge, '{}', {}, limits)).rejects.toThrow('larger than 100 bytes');
    await expect(
      postLimited(huge, '{}', {}, { ...limits, policy: outboundPolicy({ allowPrivate: false }) }),
    ).rejects.toThrow('127.0.0.1 is not a public address');
    await expect(
      postLimited(huge.replace('http:', 'https:'), '{}', {}, { ...limits, allowHttp: false }),
    ).rejects.toThrow(FetchError);
    await expect(postLimited(huge, '{}', {}, { ...limits, allowHttp: false })).rejects.toThrow(
      'only https URLs are fetched',
    );
  });
});
