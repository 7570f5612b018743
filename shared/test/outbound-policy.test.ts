import { createServer, type LookupFunction, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isPublicAddress, outboundPolicy } from '../src/http/outbound-policy.ts';

const resolve = (lookup: LookupFunction, hostname: string) =>
  new Promise<{ err: Error | null; address: string }>((done) =>
    lookup(hostname, { family: 0 }, (err, address) => done({ err, address: String(address) })),
  );

describe('outbound policy for URLs others chose', () => {
  it('tells public addresses from loopback, private, link-local, reserved and mapped ones', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '151.101.1.69', '2606:4700:4700::1111', '2a00:1450:4001:80e::200e'])
      expect(isPublicAddress(address), address).toBe(true);
    for (const address of [
      '127.0.0.1',
      '127.1.2.3',
      '10.0.0.1',
      '172.16.5.4',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '198.18.0.1',
      '224.0.0.1',
      '255.255.255.255',
      '192.0.2.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      'fc00::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '::ffff:7f00:1',
      '64:ff9b::a9fe:a9fe',
      '2001:db8::1',
      'not-an-address',
    ])
      expect(isPublicAddress(address), address).toBe(false);
  });

  it('refuses literal private hosts and names that resolve to them, unless allowed', async () => {
    const denied = outboundPolicy({ allowPrivate: false });
    expect(() => denied.checkLiteralHost(new URL('https://169.254.169.254/latest/meta-data'))).toThrow(
      /not a public address/,
    );
    expect(() => denied.checkLiteralHost(new URL('https://[::1]:8443/jwks'))).toThrow(/not a public address/);
    expect(() => denied.checkLiteralHost(new URL('https://8.8.8.8/jwks'))).not.toThrow();
    expect((await resolve(denied.lookup, 'localhost')).err?.message).toMatch(/no public address/);

    const allowed = outboundPolicy({ allowPrivate: true });
    expect(() => allowed.checkLiteralHost(new URL('https://127.0.0.1/jwks'))).not.toThrow();
    const resolved = await resolve(allowed.lookup, 'localhost');
    expect(resolved.err).toBeNull();
    expect(['127.0.0.1', '::1']).toContain(resolved.address);
    // Each policy keeps its own setting: making one does not change another.
    expect(() => denied.checkLiteralHost(new URL('https://127.0.0.1/jwks'))).toThrow(/not a public address/);
  });

  it('connects by name only where its lookup lets it (the TCP connection LDAP uses)', async () => {
    const server = createServer((socket) => socket.end());
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const { port } = server.address() as { port: number };
    const outcome = (socket: Socket) =>
      new Promise<string>((settled) => {
        socket.once('connect', () => {
          socket.destroy();
          settled('connected');
        });
        socket.once('error', (err) => settled(err.message));
      });
    try {
      expect(await outcome(outboundPolicy({ allowPrivate: false }).connect(port, 'localhost'))).toMatch(
        /no public address/,
      );
      expect(await outcome(outboundPolicy({ allowPrivate: true }).connect(port, 'localhost'))).toBe('connected');
    } finally {
      server.close();
    }
  });
});
