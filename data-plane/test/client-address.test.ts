import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { sourceNetwork } from '../src/brakes/password-brake.ts';
import { trustedProxies } from '../src/tenancy/client-address.ts';
import { ExternalOrigin } from '../src/tenancy/external-origin.ts';

describe('client address behind trusted proxies (request.ip as the data plane configures it)', () => {
  const app = Fastify({ trustProxy: trustedProxies(new ExternalOrigin(['10.0.0.0/8'])) });
  app.get('/ip', async (request) => request.ip);
  const of = async (xff: string | undefined, peer: string) =>
    (
      await app.inject({
        method: 'GET',
        url: '/ip',
        remoteAddress: peer,
        headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
      })
    ).body;

  it('takes the address the nearest trusted proxy added, never the client-written left-most one', async () => {
    expect(await of('6.6.6.6, 198.51.100.7', '10.0.0.1')).toBe('198.51.100.7');
    // two trusted proxies in a row: walk past both
    expect(await of('6.6.6.6, 198.51.100.7, 10.0.0.2', '10.0.0.1')).toBe('198.51.100.7');
    expect(await of('198.51.100.7', '::ffff:10.0.0.1')).toBe('198.51.100.7');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    expect(await of('198.51.100.7', '203.0.113.9')).toBe('203.0.113.9');
    expect(await of(undefined, '10.0.0.1')).toBe('10.0.0.1');
  });
});

describe('source network of an address', () => {
  it('keeps IPv4 (also IPv4-mapped) and cuts IPv6 to its /64', () => {
    expect(sourceNetwork('198.51.100.7')).toBe('198.51.100.7');
    expect(sourceNetwork('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(sourceNetwork('2001:db8:1:2:aaaa::1')).toBe(sourceNetwork('2001:db8:1:2:bbbb::2'));
    expect(sourceNetwork('2001:db8:1:2::1')).not.toBe(sourceNetwork('2001:db8:1:3::1'));
    expect(sourceNetwork('')).toBe('unknown');
  });
});
