import { AccessLog } from '@tessera/shared/observability/access-log';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { eventually, uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

/** The data plane's access log, captured from its pino destination: one JSON line per request, nothing secret. */
describe('access log', () => {
  let planes: InProcessPlanes;
  let issuer: string;
  let tid: string;
  let clientId: string;
  let secret: string;
  const lines: string[] = [];
  const entries = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true, accessLog: { destination: { write: (l) => lines.push(l) } } });
    tid = uniqueTid('acclog');
    issuer = `${planes.dataPlaneUrl}/${tid}`;
    await planes.createTenant({ tid, name: tid, issuer });
    const added = await addClient(planes.s, tid, {
      grant_types: ['client_credentials', 'authorization_code'],
      response_types: ['code'],
      redirect_uris: ['http://localhost:3000/cb'],
      token_endpoint_auth_method: 'client_secret_post',
    });
    clientId = added.clientId;
    secret = added.secret!;
  }, 60_000);
  afterAll(async () => planes.close());

  it('writes a line per request with route, tenant, status, duration, bytes and address, and no secret', async () => {
    const code = 'CODE-9f8e7d6c5b4a';
    const password = 'PASSWORD-hunter2-x';
    const cookie = 'COOKIE-s3ss10n-v4lue';
    const token = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `sid=${cookie}`,
        'x-request-id': 'acclog-token',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
    });
    expect(token.status).toBe(200);
    const refused = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:${password}`).toString('base64')}`,
        'x-request-id': 'acclog-refused',
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'http://localhost:3000/cb' }),
    });
    expect(refused.status).toBe(401);
    const front = await fetch(`${issuer}/login?client_id=${clientId}&code=${code}&password=${password}`, {
      headers: { cookie: `sid=${cookie}`, 'x-request-id': 'acclog-front' },
      redirect: 'manual',
    });
    expect(front.status).toBeGreaterThanOrEqual(200);
    const madeUp = await fetch(`${planes.dataPlaneUrl}/made-up-tenant-77/token`, {
      method: 'POST',
      headers: { 'x-request-id': 'acclog-madeup' },
    });
    expect(madeUp.status).toBe(400);

    await eventually(
      () => entries().filter((e) => String(e.reqId).startsWith('acclog-')).length,
      (n) => n === 4,
    );
    const byId = new Map(entries().map((e) => [e.reqId, e]));
    const ok = byId.get('acclog-token')!;
    expect(ok).toMatchObject({ msg: 'access', tenant: tid, route: 'token', method: 'POST', status: 200 });
    expect(ok.time).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    expect(ok.ms).toEqual(expect.any(Number));
    expect(ok.bytes).toBe(Number(token.headers.get('content-length')));
    expect(ok.ip).toMatch(/127\.0\.0\.1/);
    expect(byId.get('acclog-refused')).toMatchObject({ tenant: tid, route: 'token', status: 401 });
    expect(byId.get('acclog-front')).toMatchObject({ tenant: tid, route: 'authorization' });
    // A tenant id made up in a URL is no tenant: not logged as one, and the raw path is not logged at all.
    const unknown = byId.get('acclog-madeup')!;
    expect(unknown.status).toBe(400);
    expect(unknown.tenant).toBeUndefined();
    const all = lines.join('\n');
    for (const secretValue of [
      secret,
      code,
      password,
      cookie,
      'made-up-tenant-77',
      Buffer.from(`${clientId}:${password}`).toString('base64'),
    ])
      expect(all).not.toContain(secretValue);
    await token.text();
  });

  it('samples successes and always logs errors', () => {
    const written: string[] = [];
    const none = new AccessLog('t', { enabled: true, sample: 0 }, { write: (l) => written.push(l) });
    expect(none.wanted(200)).toBe(false);
    expect(none.wanted(302)).toBe(false);
    expect(none.wanted(404)).toBe(true);
    expect(none.wanted(500)).toBe(true);
    const all = new AccessLog('t', { enabled: true, sample: 1 }, { write: (l) => written.push(l) });
    expect(all.wanted(200)).toBe(true);
  });
});
