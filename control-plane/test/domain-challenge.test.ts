import { createSocket, type Socket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { outboundPolicy } from '@tessera/shared/http/outbound-policy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsChallengeMet, httpChallengeMet } from '../src/tenants/domain-challenge.ts';

/** The question name of a DNS query (RFC 1035 §4.1.2) and where the question ends. */
function questionOf(query: Buffer): { name: string; end: number } {
  const labels: string[] = [];
  let at = 12;
  while (query[at]! > 0) {
    labels.push(query.subarray(at + 1, at + 1 + query[at]!).toString('ascii'));
    at += 1 + query[at]!;
  }
  return { name: labels.join('.').toLowerCase(), end: at + 5 };
}

/** A DNS server on 127.0.0.1 answering TXT questions from `records` (NXDOMAIN otherwise): enough for node's resolver. */
function txtServer(records: Map<string, string[]>): Socket {
  const socket = createSocket('udp4');
  socket.on('message', (query, peer) => {
    const { name, end } = questionOf(query);
    const values = records.get(name);
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2);
    header.writeUInt16BE(values ? 0x8180 : 0x8183, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(values?.length ?? 0, 6);
    const answers = (values ?? []).map((value) => {
      const text = Buffer.from(value, 'utf8');
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
      rr.writeUInt16BE(16, 2); // TXT
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(text.length + 1, 10);
      return Buffer.concat([rr, Buffer.from([text.length]), text]);
    });
    socket.send(Buffer.concat([header, query.subarray(12, end), ...answers]), peer.port, peer.address);
  });
  return socket;
}

describe('domain challenges: a DNS TXT record or an HTTP resource holds the value', () => {
  let dns: Socket;
  let http: Server;
  let resolver: Resolver;
  let httpHost: string;
  const records = new Map<string, string[]>();
  const pages = new Map<string, { status: number; body: string; location?: string }>();
  let connections = 0;
  // The test environment's rule (CLIENT_FETCH_PRIVATE=allow): these servers listen on 127.0.0.1.
  const allowed = outboundPolicy({ allowPrivate: true });

  beforeAll(async () => {
    dns = txtServer(records);
    await new Promise<void>((resolve) => dns.bind(0, '127.0.0.1', resolve));
    resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${dns.address().port}`]);
    http = createServer((req, res) => {
      const page = pages.get(req.url ?? '') ?? { status: 404, body: 'no' };
      res.writeHead(page.status, page.location ? { location: page.location } : {}).end(page.body);
    });
    http.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    httpHost = `localhost:${(http.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    dns?.close();
    await new Promise<void>((resolve) => http?.close(() => resolve()));
  });

  it('finds the value in a TXT record named _tessera-challenge.<host name> (any port), among others', async () => {
    records.set('_tessera-challenge.login.acme.test', ['v=spf1 -all', 'the-value']);
    expect(await dnsChallengeMet('login.acme.test', 'the-value', resolver)).toBe(true);
    expect(await dnsChallengeMet('login.acme.test:8443', 'the-value', resolver)).toBe(true);
    expect(await dnsChallengeMet('login.acme.test', 'another-value', resolver)).toBe(false);
    expect(await dnsChallengeMet('other.acme.test', 'the-value', resolver)).toBe(false);
    // No DNS proof for addresses and loopback names.
    expect(await dnsChallengeMet('127.0.0.1', 'the-value', resolver)).toBe(false);
    expect(await dnsChallengeMet('localhost', 'the-value', resolver)).toBe(false);
  });

  it('accepts the value as a 200 body (white space around it ignored); not a redirect, another status, another or longer body', async () => {
    const ok = (token: string) => httpChallengeMet(httpHost, token, 'the-value', allowed);
    pages.set('/.well-known/tessera-challenge/good', { status: 200, body: '  the-value\r\n' });
    pages.set('/.well-known/tessera-challenge/wrong', { status: 200, body: 'the-value-and-more' });
    pages.set('/.well-known/tessera-challenge/huge', { status: 200, body: `the-value${' '.repeat(100_000)}x` });
    pages.set('/.well-known/tessera-challenge/status', { status: 201, body: 'the-value' });
    pages.set('/.well-known/tessera-challenge/moved', {
      status: 302,
      body: '',
      location: '/.well-known/tessera-challenge/good',
    });
    expect(await ok('good')).toBe(true);
    for (const token of ['wrong', 'huge', 'status', 'moved', 'missing'])
      expect({ token, met: await ok(token) }).toEqual({ token, met: false });
    // Nothing listening: false, not an error.
    expect(await httpChallengeMet('localhost:1', 'good', 'the-value', allowed)).toBe(false);
  });

  it('connects to no loopback, private or link-local address unless the deployment allows it (no SSRF into the provider network)', async () => {
    pages.set('/.well-known/tessera-challenge/good', { status: 200, body: 'the-value' });
    const port = (http.address() as AddressInfo).port;
    const denied = outboundPolicy({ allowPrivate: false });
    const before = connections;
    // A literal loopback address, and names that resolve to it: refused before any connection.
    for (const host of [`127.0.0.1:${port}`, `[::ffff:127.0.0.1]:${port}`, `localhost:${port}`, `localhost.:${port}`]) {
      expect({ host, met: await httpChallengeMet(host, 'good', 'the-value', denied) }).toEqual({ host, met: false });
    }
    expect(connections - before).toBe(0);
    // The same challenge, where private addresses are allowed: met (the refusal was the rule).
    expect(await httpChallengeMet(`127.0.0.1:${port}`, 'good', 'the-value', allowed)).toBe(true);
    expect(connections - before).toBe(1);
  });
});
