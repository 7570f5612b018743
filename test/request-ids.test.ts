import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

/** Every answer of both planes names its request id: the caller's when usable, the traceparent's trace id, or a new one. */
describe('request ids', () => {
  let planes: InProcessPlanes;
  let issuer: string;

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    const tid = uniqueTid('reqid');
    issuer = `${planes.dataPlaneUrl}/${tid}`;
    await planes.createTenant({ tid, name: tid, issuer });
  }, 60_000);
  afterAll(async () => planes.close());

  const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });
  // A success, an OAuth error, an unmatched path and a tenant that does not exist.
  const cases = () => [
    {
      name: 'success',
      status: 200,
      send: (h: Record<string, string>) => get(`${issuer}/.well-known/openid-configuration`, h),
    },
    {
      // No client authentication: invalid_client.
      name: 'error',
      status: 401,
      send: (h: Record<string, string>) =>
        fetch(`${issuer}/token`, {
          method: 'POST',
          headers: { ...h, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        }),
    },
    { name: '404', status: 404, send: (h: Record<string, string>) => get(`${issuer}/no-such-endpoint`, h) },
    {
      name: 'unknown tenant',
      status: 400,
      send: (h: Record<string, string>) => get(`${planes.dataPlaneUrl}/made-up-tenant/jwks.json`, h),
    },
  ];

  it('echoes a usable X-Request-Id on success, error and 404', async () => {
    for (const c of cases()) {
      const id = `caller-${c.name.replace(/ /g, '-')}-42`;
      const res = await c.send({ 'x-request-id': id });
      expect(res.status, c.name).toBe(c.status);
      expect(res.headers.get('x-request-id'), c.name).toBe(id);
    }
  });

  it('generates one when none is sent', async () => {
    const seen = new Set<string>();
    for (const c of cases()) {
      const res = await c.send({});
      expect(res.status, c.name).toBe(c.status);
      const id = res.headers.get('x-request-id');
      expect(id, c.name).toMatch(UUID);
      seen.add(id!);
    }
    expect(seen.size).toBe(cases().length);
  });

  it('replaces an unusable X-Request-Id and takes the traceparent trace id instead', async () => {
    for (const c of cases()) {
      const tooLong = await c.send({ 'x-request-id': 'a'.repeat(129) });
      expect(tooLong.headers.get('x-request-id'), c.name).toMatch(UUID);
      const spaced = await c.send({ 'x-request-id': 'has a space' });
      expect(spaced.headers.get('x-request-id'), c.name).toMatch(UUID);
      const traced = await c.send({ 'x-request-id': 'bad\tid', traceparent: TRACEPARENT });
      expect(traced.headers.get('x-request-id'), c.name).toBe(TRACE_ID);
    }
    // An all-zero trace id is invalid (W3C Trace Context §3.2.2.3): not taken.
    const zero = await get(`${issuer}/jwks.json`, { traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` });
    expect(zero.headers.get('x-request-id')).toMatch(UUID);
  });

  it('names the id on the control plane, on success, refusal and 404', async () => {
    const ok = await planes.cp.inject({
      method: 'GET',
      url: '/monitor/v1/healthcheck',
      headers: { 'x-request-id': 'cp-1' },
    });
    expect(ok.headers['x-request-id']).toBe('cp-1');
    const refused = await planes.cp.inject({
      method: 'GET',
      url: '/tenants/rest/v1',
      headers: { 'x-request-id': 'cp-2' },
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['x-request-id']).toBe('cp-2');
    const missing = await planes.cp.inject({
      method: 'GET',
      url: '/no-such-path',
      headers: { authorization: `Bearer ${planes.s.operatorKey}`, traceparent: TRACEPARENT },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['x-request-id']).toBe(TRACE_ID);
    const generated = await planes.cp.inject({ method: 'GET', url: '/monitor/v1/healthcheck' });
    expect(generated.headers['x-request-id']).toMatch(UUID);
  });
});
