import { describe, expect, it } from 'vitest';
import { domainHostProblem } from '../src/tenants/domain-challenge.ts';
import { findConflict, issuerParts, issuerRelation } from '../src/tenants/issuer-conflicts.ts';
import { inTenantNamespace, isPlatformHost, namespaceRoots } from '../src/tenants/issuer-namespace.ts';

describe('issuer conflicts: path-segment prefixes on one origin', () => {
  it('relates issuers by whole path segments, in both directions', () => {
    const cases: Array<[string, string, ReturnType<typeof issuerRelation>]> = [
      ['https://h.example/a', 'https://h.example/a', 'same'],
      ['https://h.example/a', 'https://h.example/a/b', 'above'],
      ['https://h.example/a/b', 'https://h.example/a', 'below'],
      ['https://h.example/a', 'https://h.example/ab', 'apart'],
      ['https://h.example/ab', 'https://h.example/a', 'apart'],
      ['https://h.example/a/b', 'https://h.example/a/c', 'apart'],
      // The bare origin is a prefix of every path on it.
      ['https://h.example', 'https://h.example/b/token', 'above'],
      ['https://h.example/b/token', 'https://h.example', 'below'],
      // Other scheme, host or port: another origin, never a conflict.
      ['https://h.example/a', 'https://g.example/a/b', 'apart'],
      ['http://localhost:8080/a', 'http://localhost:8081/a/b', 'apart'],
      ['http://localhost/a', 'https://localhost/a/b', 'apart'],
      ['https://h.example/a', 'https://a.h.example/a', 'apart'],
    ];
    for (const [a, b, relation] of cases) expect({ a, b, relation: issuerRelation(a, b) }).toEqual({ a, b, relation });
  });

  it('normalises what URL parsing and RFC 3986 make equal: case of scheme and host, default ports, trailing slash, unreserved escapes', () => {
    expect(issuerParts('HTTPS://H.Example:443/a/')).toEqual({ origin: 'https://h.example', segments: ['a'] });
    expect(issuerParts('http://localhost:80')).toEqual({ origin: 'http://localhost', segments: [] });
    expect(issuerRelation('https://h.example/%41%2f', 'https://h.example/A%2F/x')).toBe('above');
    expect(issuerRelation('https://h.example/%7Euser', 'https://h.example/~user')).toBe('same');
    // Path case is significant, as it is to the data plane.
    expect(issuerRelation('https://h.example/A', 'https://h.example/a/b')).toBe('apart');
  });

  it('finds the first held issuer a new one nests with', () => {
    const held = [
      { tid: 'b', issuer: 'http://localhost:8080/b' },
      { tid: 'c', issuer: 'https://c.example.com' },
    ];
    expect(findConflict('http://localhost:8080/b/token', held)).toEqual({ ...held[0], relation: 'below' });
    expect(findConflict('https://c.example.com/x', held)).toEqual({ ...held[1], relation: 'below' });
    expect(findConflict('http://localhost:8080', held)).toEqual({ ...held[0], relation: 'above' });
    expect(findConflict('http://localhost:8080/bb', held)).toBeUndefined();
    expect(findConflict('https://d.example.com', held)).toBeUndefined();
  });
});

describe('issuer namespaces', () => {
  const bases = ['http://localhost:8080', 'https://id.example.com'];

  it('gives each tenant its path under every base and its own sub-domain of a named base host', () => {
    expect(namespaceRoots('acme', bases)).toEqual([
      'http://localhost:8080/acme',
      'http://acme.localhost:8080',
      'https://id.example.com/acme',
      'https://acme.id.example.com',
    ]);
    expect(namespaceRoots('acme', ['http://127.0.0.1:8080'])).toEqual(['http://127.0.0.1:8080/acme']);
    for (const inside of [
      'http://localhost:8080/acme',
      'http://localhost:8080/acme/eu',
      'https://acme.id.example.com',
      'https://acme.id.example.com/v2',
    ]) {
      expect({ inside, ok: inTenantNamespace(inside, 'acme', bases) }).toEqual({ inside, ok: true });
    }
    for (const outside of [
      'http://localhost:8080',
      'http://localhost:8080/acme-2',
      'http://localhost:8080/other/acme',
      'http://localhost:9090/acme',
      'https://id.example.com',
      'https://other.id.example.com',
      'https://x.acme.id.example.com',
      'https://acme.example.com',
    ]) {
      expect({ outside, ok: inTenantNamespace(outside, 'acme', bases) }).toEqual({ outside, ok: false });
    }
  });

  it('tells platform hosts (a base host and names below it, any port) from custom hosts', () => {
    for (const host of ['localhost', 'acme.localhost', 'id.example.com', 'x.y.id.example.com'])
      expect({ host, platform: isPlatformHost(host, bases) }).toEqual({ host, platform: true });
    for (const host of ['example.com', 'evilid.example.com', '127.0.0.1', 'login.acme.com'])
      expect({ host, platform: isPlatformHost(host, bases) }).toEqual({ host, platform: false });
  });

  it('accepts a custom host only as host[:port] in normal form', () => {
    for (const good of ['login.acme.com', 'localhost:4000', '[::1]:4000', '127.0.0.1'])
      expect({ good, problem: domainHostProblem(good) }).toEqual({ good, problem: null });
    for (const bad of [
      '',
      'Login.acme.com',
      'https://login.acme.com',
      'login.acme.com/x',
      'user@login.acme.com',
      'login.acme.com:443',
      'a b.com',
      'login.acme.com?x',
    ]) {
      expect({ bad, problem: domainHostProblem(bad) }).toEqual({ bad, problem: expect.any(String) });
    }
  });
});
