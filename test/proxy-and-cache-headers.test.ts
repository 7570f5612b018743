import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { rawExchange } from './support/raw-http.ts';

/**
 * What caches and proxies between clients and the planes rely on: answers a
 * shared cache may keep name every header that chose the tenant in `Vary`
 * (finding 11), and a request with two Host headers is refused before
 * anything reads the Host (finding 12; X-Forwarded-* choice: data-plane/test/resolve-request.test.ts).
 */
describe('headers for caches and proxies', () => {
  let planes: InProcessPlanes;
  let tid: string;
  let port: number;
  let controlPort: number;
  let basic: string;

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    tid = uniqueTid('vary');
    port = Number(new URL(planes.dataPlaneUrl).port);
    await planes.createTenant({ tid, name: tid, issuer: `${planes.dataPlaneUrl}/${tid}` });
    const { clientId, secret } = await addClient(planes.s, tid, { grant_types: ['client_credentials'], scope: 'read' });
    basic = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
    controlPort = Number(new URL(await planes.cp.listen({ host: '127.0.0.1', port: 0 })).port);
  }, 60_000);
  afterAll(async () => {
    await planes?.close();
  });

  it('sends Vary with every tenant-choosing header on the cacheable discovery and JWKS answers, however the tenant was chosen', async () => {
    const vary = ['tenant-id', 'issuer', 'x-forwarded-host', 'x-forwarded-proto'];
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/jwks.json']) {
      for (const res of [
        await fetch(`${planes.dataPlaneUrl}/${tid}${path}`),
        await fetch(`${planes.dataPlaneUrl}${path}`, { headers: { 'tenant-id': tid } }),
      ]) {
        expect(res.status, path).toBe(200);
        expect(res.headers.get('cache-control'), path).toBe('public, max-age=60');
        const named = (res.headers.get('vary') ?? '').split(',').map((h) => h.trim().toLowerCase());
        expect(named, path).toEqual(expect.arrayContaining(vary));
      }
    }
  });

  it('refuses a request with two Host headers (400), on every route, the token endpoint included, and on both planes', async () => {
    const twoHosts = (method: string, path: string, extra: string[] = [], body = '') =>
      Buffer.from(
        [
          `${method} ${path} HTTP/1.1`,
          `Host: 127.0.0.1:${port}`,
          'Host: evil.example',
          ...extra,
          'Connection: close',
          '',
          body,
        ].join('\r\n'),
      );
    const discovery = await rawExchange(port, twoHosts('GET', `/${tid}/.well-known/openid-configuration`));
    expect(discovery.status).toBe(400);
    expect(discovery.text).toMatch(/more than one Host header/);
    const form = 'grant_type=client_credentials&scope=read';
    const token = await rawExchange(
      port,
      twoHosts(
        'POST',
        `/${tid}/token`,
        [
          `Authorization: ${basic}`,
          'Content-Type: application/x-www-form-urlencoded',
          `Content-Length: ${form.length}`,
        ],
        form,
      ),
    );
    expect(token.status).toBe(400);
    expect(token.text).not.toMatch(/access_token/);
    const control = await rawExchange(controlPort, twoHosts('GET', '/monitor/v1/healthcheck'));
    expect(control.status).toBe(400);
    // One Host is fine, on both planes.
    const one = await rawExchange(
      port,
      Buffer.from(`GET /${tid}/jwks.json HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`),
    );
    expect(one.status).toBe(200);
  });
});
