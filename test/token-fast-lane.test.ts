import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { startInProcessPlanes, type InProcessPlanes } from './support/planes.ts';

const FORM = 'application/x-www-form-urlencoded';
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

interface Answer { status: number; headers: Record<string, string | undefined>; body: Record<string, unknown> }
interface Case { name: string; headers: Record<string, string>; body: string; lane: boolean }

/**
 * The fast lane (data-plane/src/http/fast-lane.ts) answers plain token
 * requests on a listening node ahead of fastify; injected requests always go
 * through the fastify route. Both must give the same answers, and the lane
 * must leave alone what it cannot serve completely.
 */
describe('token endpoint fast lane: the same answers as the fastify route', () => {
  let planes: InProcessPlanes;
  let tid: string;
  let issuer: string;
  let clientId: string;
  let secret: string;
  let postId: string;
  let postSecret: string;

  const HEADERS = ['cache-control', 'pragma', 'content-type', 'www-authenticate'];
  const pick = (get: (name: string) => string | undefined) => Object.fromEntries(HEADERS.map((h) => [h, get(h)]));

  const viaFastify = async (c: Case): Promise<Answer> => {
    const res = await planes.dp.app.inject({ method: 'POST', url: '/token', headers: c.headers, payload: c.body });
    return { status: res.statusCode, headers: pick((h) => res.headers[h] as string | undefined), body: res.json() };
  };
  const viaNetwork = async (c: Case): Promise<Answer> => {
    const res = await fetch(`${planes.dataPlaneUrl}/token`, { method: 'POST', headers: c.headers, body: c.body });
    return { status: res.status, headers: pick((h) => res.headers.get(h) ?? undefined), body: (await res.json()) as Record<string, unknown> };
  };
  const laneCount = async () => {
    const text = (await planes.dp.app.inject({ method: 'GET', url: '/monitor/v1/metrics', headers: { authorization: `Bearer ${planes.s.monitorToken}` } })).body;
    return Number(/^tessera_data_plane_fast_lane_requests_total (\d+)/m.exec(text)?.[1] ?? 'NaN');
  };
  /** Comparable parts: tokens differ per request, so a success compares member names and types. */
  const shape = (a: Answer) => ({
    status: a.status,
    headers: a.headers,
    body: a.status === 200 ? Object.fromEntries(Object.entries(a.body).map(([k, v]) => [k, k === 'token_type' || k === 'scope' ? v : typeof v])) : a.body,
  });

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    tid = uniqueTid('lane');
    issuer = `https://${tid}.example.com`;
    await planes.createTenant({ tid, name: tid, issuer, config: { tokens: { accessTokenFormat: 'identifier' } } });
    ({ clientId, secret } = (await addClient(planes.s, tid, { grant_types: ['client_credentials'], scope: 'read write' })) as { clientId: string; secret: string });
    ({ clientId: postId, secret: postSecret } = (await addClient(planes.s, tid, {
      grant_types: ['client_credentials'],
      scope: 'read',
      token_endpoint_auth_method: 'client_secret_post',
    })) as { clientId: string; secret: string });
    // The lane serves cached tenants only; the first request loads it.
    expect((await viaFastify({ name: 'warm', headers: { 'tenant-id': tid }, body: '', lane: false })).status).toBe(400);
  }, 60_000);
  afterAll(async () => planes.close());

  it('answers successes and every error alike, taking exactly the requests it can serve whole', async () => {
    const auth = () => ({ 'tenant-id': tid, 'content-type': FORM, authorization: basic(clientId, secret) });
    const cases: Case[] = [
      { name: 'client_credentials with client_secret_basic', headers: auth(), body: 'grant_type=client_credentials&scope=read', lane: true },
      { name: 'client_secret_post', headers: { 'tenant-id': tid, 'content-type': FORM }, body: `grant_type=client_credentials&client_id=${postId}&client_secret=${postSecret}`, lane: true },
      { name: 'served under the Issuer header', headers: { 'content-type': FORM, authorization: basic(clientId, secret), issuer }, body: 'grant_type=client_credentials', lane: true },
      { name: 'wrong secret', headers: { ...auth(), authorization: basic(clientId, `${secret}x`) }, body: 'grant_type=client_credentials', lane: true },
      { name: 'no client authentication', headers: { 'tenant-id': tid, 'content-type': FORM }, body: 'grant_type=client_credentials', lane: true },
      { name: 'repeated parameter', headers: auth(), body: 'grant_type=client_credentials&grant_type=client_credentials', lane: true },
      { name: 'missing grant_type', headers: auth(), body: 'scope=read', lane: true },
      { name: 'unsupported grant type', headers: auth(), body: 'grant_type=urn:example:nope', lane: true },
      { name: 'scope not allowed', headers: auth(), body: 'grant_type=client_credentials&scope=admin', lane: true },
      { name: 'content type with parameters', headers: { ...auth(), 'content-type': `${FORM}; charset=UTF-8` }, body: 'grant_type=client_credentials', lane: true },
      { name: 'body over 50,000 characters', headers: auth(), body: `grant_type=client_credentials&pad=${'x'.repeat(50_000)}`, lane: false },
      { name: 'JSON body', headers: { ...auth(), 'content-type': 'application/json' }, body: '{"grant_type":"client_credentials"}', lane: false },
      { name: 'unknown tenant', headers: { ...auth(), 'tenant-id': 'no-such-tenant-here' }, body: 'grant_type=client_credentials', lane: false },
    ];

    let expected = 0;
    for (const c of cases) {
      const before = await laneCount();
      const network = await viaNetwork(c);
      const took = (await laneCount()) - before;
      expect(took, `${c.name}: taken by the lane`).toBe(c.lane ? 1 : 0);
      if (c.lane) expected += 1;
      const fastify = await viaFastify(c);
      expect(shape(network), c.name).toEqual(shape(fastify));
    }
    expect(expected).toBe(10);

    // Spot checks of what both said, so a shared mistake cannot pass as parity.
    const [ok, , , wrong, , repeated, , unsupported, scope, , big, json, unknown] = await Promise.all(cases.map(viaNetwork));
    expect(ok).toMatchObject({ status: 200, headers: { 'cache-control': 'no-store', pragma: 'no-cache' }, body: { token_type: 'Bearer', scope: 'read' } });
    expect(wrong).toMatchObject({ status: 401, headers: { 'www-authenticate': `Basic realm="${issuer}"` }, body: { error: 'invalid_client' } });
    expect(repeated).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(unsupported).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
    expect(scope).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    expect(big).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(json).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(unknown).toMatchObject({ status: 400, body: { error: 'invalid_tenant' } });
  });

  it('issues tokens that introspect active, and counts them in the request metrics', async () => {
    const res = await fetch(`${planes.dataPlaneUrl}/token`, {
      method: 'POST',
      headers: { 'tenant-id': tid, 'content-type': FORM, authorization: basic(clientId, secret) },
      body: 'grant_type=client_credentials&scope=write',
    });
    expect(res.status).toBe(200);
    const { access_token: token } = (await res.json()) as { access_token: string };
    const introspection = await planes.dp.app.inject({
      method: 'POST',
      url: '/token/introspect',
      headers: { 'tenant-id': tid, 'content-type': FORM, authorization: basic(clientId, secret) },
      payload: new URLSearchParams({ token }).toString(),
    });
    expect(introspection.json()).toMatchObject({ active: true, client_id: clientId, scope: 'write' });
    const metrics = (await planes.dp.app.inject({ method: 'GET', url: '/monitor/v1/metrics', headers: { authorization: `Bearer ${planes.s.monitorToken}` } })).body;
    const line = new RegExp(`^tessera_data_plane_http_requests_total\\{tenant="${tid}",route="/token",method="POST",status="200"\\} (\\d+)`, 'm').exec(metrics);
    expect(Number(line?.[1])).toBeGreaterThanOrEqual(4);
  });
});
