import { describe, expect, it } from 'vitest';
import { ExternalOrigin } from '../src/tenancy/external-origin.ts';
import { IssuerIndex } from '../src/tenancy/issuer-index.ts';
import { type RequestFacts, resolveRequest } from '../src/tenancy/resolve-request.ts';

const index = new IssuerIndex();
index.replaceAll([
  { issuer: 'http://localhost:8080/demo', tid: 'demo', mode: 'PRIMARY' },
  { issuer: 'http://localhost:8080/demo/eu', tid: 'demo-eu', mode: 'PRIMARY' },
  { issuer: 'https://login.acme.test', tid: 'acme', mode: 'PRIMARY' },
  { issuer: 'https://sso.acme.test/v2', tid: 'acme', mode: 'MIGRATION' },
]);
const origins = new ExternalOrigin(['10.0.0.0/8']);
const facts = (url: string, headers: Record<string, string> = {}, remoteAddress = '127.0.0.1'): RequestFacts => ({
  url,
  headers: { host: 'localhost:8080', ...headers },
  remoteAddress,
  encrypted: false,
});
const resolve = (f: RequestFacts) => resolveRequest(f, index, origins);

describe('tenant resolution (contract §3)', () => {
  it('matches the longest issuer prefix on path-segment boundaries', () => {
    expect(resolve(facts('/demo/.well-known/openid-configuration'))).toEqual({
      ok: true,
      tid: 'demo',
      issuer: 'http://localhost:8080/demo',
      url: '/.well-known/openid-configuration',
    });
    expect(resolve(facts('/demo/eu/jwks.json?x=1'))).toEqual({
      ok: true,
      tid: 'demo-eu',
      issuer: 'http://localhost:8080/demo/eu',
      url: '/jwks.json?x=1',
    });
    expect(resolve(facts('/demonstration/jwks.json')).ok).toBe(false);
    expect(resolve(facts('/demo'))).toMatchObject({ tid: 'demo', url: '/' });
  });

  it('serves an issuer at the root of a host and its aliases', () => {
    expect(resolve(facts('/jwks.json', { host: 'login.acme.test:443' }, '127.0.0.1'))).toMatchObject({ ok: false });
    expect(resolve({ ...facts('/jwks.json', { host: 'login.acme.test:443' }), encrypted: true })).toEqual({
      ok: true,
      tid: 'acme',
      issuer: 'https://login.acme.test',
      url: '/jwks.json',
    });
    expect(resolve({ ...facts('/v2/jwks.json', { host: 'SSO.acme.test' }), encrypted: true })).toEqual({
      ok: true,
      tid: 'acme',
      issuer: 'https://sso.acme.test/v2',
      url: '/jwks.json',
    });
  });

  it('prefers the Tenant-ID header, then the Issuer header', () => {
    expect(resolve(facts('/.well-known/openid-configuration', { 'tenant-id': 'demo' }))).toMatchObject({
      ok: true,
      tid: 'demo',
      issuer: 'http://localhost:8080/demo',
      url: '/.well-known/openid-configuration',
    });
    // a path that repeats the issuer path is taken relative to it
    expect(resolve(facts('/demo/jwks.json', { 'tenant-id': 'demo' }))).toMatchObject({ url: '/jwks.json' });
    expect(resolve(facts('/demo/jwks.json', { 'tenant-id': 'acme' }))).toMatchObject({
      tid: 'acme',
      url: '/demo/jwks.json',
    });
    expect(resolve(facts('/jwks.json', { issuer: 'https://sso.acme.test/v2' }))).toMatchObject({
      ok: true,
      tid: 'acme',
      issuer: 'https://sso.acme.test/v2',
    });
    expect(resolve(facts('/demo/jwks.json', { 'tenant-id': 'nope' }))).toEqual({ ok: false, reason: 'Unknown tenant' });
    expect(resolve(facts('/demo/jwks.json', { issuer: 'https://sso.acme.test/v2/' })).ok).toBe(false);
  });

  it('serves RFC 8414 metadata at the path-insertion URL', () => {
    expect(resolve(facts('/.well-known/oauth-authorization-server/demo/eu'))).toEqual({
      ok: true,
      tid: 'demo-eu',
      issuer: 'http://localhost:8080/demo/eu',
      url: '/.well-known/oauth-authorization-server',
    });
    expect(resolve(facts('/.well-known/oauth-authorization-server/demo', { 'tenant-id': 'demo' }))).toMatchObject({
      url: '/.well-known/oauth-authorization-server',
    });
  });

  it('believes X-Forwarded-* only from trusted proxies', () => {
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'login.acme.test' };
    expect(resolve(facts('/jwks.json', forwarded, '10.1.2.3'))).toMatchObject({ ok: true, tid: 'acme' });
    expect(resolve(facts('/jwks.json', forwarded, '::ffff:10.1.2.3'))).toMatchObject({ ok: true, tid: 'acme' });
    // from an untrusted peer the headers are ignored: this is plain http://localhost:8080
    expect(resolve(facts('/jwks.json', forwarded, '192.0.2.7')).ok).toBe(false);
    expect(resolve(facts('/demo/jwks.json', forwarded, '192.0.2.7'))).toMatchObject({ tid: 'demo' });
  });

  it('takes the X-Forwarded-Host and -Proto the trusted proxy added (right-most), not what the client put in front', () => {
    // The client sent "login.acme.test" / "https" itself; the proxy appended what it saw: plain http://localhost:8080.
    const appended = { 'x-forwarded-host': 'login.acme.test, localhost:8080', 'x-forwarded-proto': 'https, http' };
    expect(resolve(facts('/jwks.json', appended, '10.1.2.3')).ok).toBe(false);
    expect(resolve(facts('/demo/jwks.json', appended, '10.1.2.3'))).toMatchObject({
      ok: true,
      tid: 'demo',
      issuer: 'http://localhost:8080/demo',
    });
    // The other way round, the proxy's own value wins as well.
    const proxied = { 'x-forwarded-host': 'localhost:8080,login.acme.test', 'x-forwarded-proto': 'http ,https' };
    expect(resolve(facts('/jwks.json', proxied, '10.1.2.3'))).toMatchObject({
      ok: true,
      tid: 'acme',
      issuer: 'https://login.acme.test',
    });
  });

  it('refuses a missing or malformed Host', () => {
    expect(resolve({ url: '/demo/jwks.json', headers: {}, remoteAddress: '127.0.0.1', encrypted: false }).ok).toBe(
      false,
    );
    expect(resolve(facts('/demo/jwks.json', { host: 'local host/x' })).ok).toBe(false);
  });

  it('drops a tenant from the index when its entries are replaced with none', () => {
    const local = new IssuerIndex();
    local.replaceAll([
      { issuer: 'https://a.test', tid: 'a', mode: 'PRIMARY' },
      { issuer: 'https://a2.test', tid: 'a', mode: 'MIGRATION' },
    ]);
    expect(local.size).toBe(2);
    local.replaceTenant('a', [{ issuer: 'https://a3.test', tid: 'a', mode: 'PRIMARY' }]);
    expect(local.byIssuer('https://a.test')).toBeUndefined();
    expect(local.primaryIssuerOf('a')).toBe('https://a3.test');
    local.replaceTenant('a', []);
    expect(local.size).toBe(0);
    expect(local.primaryIssuerOf('a')).toBeUndefined();
  });
});

describe('trusted proxy configuration', () => {
  it('rejects entries that are not addresses', () => {
    expect(() => new ExternalOrigin(['proxy.internal'])).toThrow(/TRUSTED_PROXIES/);
    expect(new ExternalOrigin(['::1']).isTrusted('::1')).toBe(true);
    expect(new ExternalOrigin([]).isTrusted('127.0.0.1')).toBe(false);
  });
});
