import { createServer as createTlsServer } from 'node:https';
import { createServer as createTcpServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { selfSignedLoopbackCertificate } from '../../../test/support/self-signed.ts';
import { FetchError, fetchLimited } from '../../src/http/fetch-limited.ts';
import { outboundPolicy } from '../../src/http/outbound-policy.ts';

const limits = {
  timeoutMs: 2000,
  maxBytes: 1000,
  accept: 'application/json',
  policy: outboundPolicy({ allowPrivate: true }),
};
const failure = (uri: string) =>
  fetchLimited(uri, limits).then(
    () => expect.fail('fetched'),
    (err: unknown) => err as FetchError & { cause?: { code?: string } },
  );

/** A failed fetch of a URL a client chose says why in our words; the network's own message (addresses, ports) stays the cause, for the log. */
describe('fetch failures a client may read', () => {
  it('says "the connection failed" for a refused connection, without the address', async () => {
    const server = createTcpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const err = await failure(`https://127.0.0.1:${port}/jwks`);
    expect(err).toBeInstanceOf(FetchError);
    expect(err.message).toBe('the connection failed');
    expect(err.cause?.code).toBe('ECONNREFUSED');
    expect(String((err.cause as Error).message)).toContain(`127.0.0.1:${port}`);
  });

  it('says the certificate is not trusted for a self-signed server', async () => {
    const server = createTlsServer(selfSignedLoopbackCertificate(), (_req, res) => res.end('[]'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const err = await failure(`https://127.0.0.1:${(server.address() as { port: number }).port}/doc`);
      expect(err.message).toBe('the server certificate is not trusted');
      expect(err.cause?.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('keeps its own reasons and the policy’s as they are', async () => {
    expect((await failure('http://example.com/x')).message).toBe('only https URLs are fetched');
    const denied = await fetchLimited('https://169.254.169.254/latest', {
      ...limits,
      policy: outboundPolicy({ allowPrivate: false }),
    }).then(
      () => expect.fail('fetched'),
      (e: unknown) => e as Error,
    );
    expect(denied.message).toBe('169.254.169.254 is not a public address');
  });
});
