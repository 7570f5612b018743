import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessPlanes, softwareKeyTenant, startInProcessPlanes } from './support/planes.ts';

type Headers = Record<string, string>;
const JSON_TYPE = { 'content-type': 'application/json' };
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * An absent body means no parameters (issue 12): `curl -X POST …/op/rotate`
 * and a JSON action route called with `Content-Type: application/json` and no
 * body work on both planes; a body that is present but not an object is
 * still a 400.
 */
describe('bodiless POSTs to action routes, on both planes', () => {
  let planes: InProcessPlanes;
  let tid: string;
  let apiToken: string;
  const operator = () => ({ authorization: `Bearer ${planes.s.operatorKey}` });
  const dataPlane = (url: string, headers: Headers = {}, payload?: string) =>
    planes.dp.app.inject({
      method: 'POST',
      url,
      headers: { 'tenant-id': tid, authorization: `Bearer ${apiToken}`, ...headers },
      ...(payload !== undefined ? { payload } : {}),
    });
  const controlPlane = (url: string, headers: Headers = {}, payload?: string) =>
    planes.cp.inject({
      method: 'POST',
      url,
      headers: { ...operator(), ...headers },
      ...(payload !== undefined ? { payload } : {}),
    });

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    ({ tid, apiToken } = await softwareKeyTenant(planes, 'bodiless'));
  }, 60_000);
  afterAll(async () => planes?.close());

  it('data plane: rotates keys on a POST without a body, with an empty JSON body and with an empty form', async () => {
    for (const headers of [{}, JSON_TYPE, FORM_TYPE]) {
      const res = await dataPlane('/key-store/rest/v1/op/rotate', headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(200);
      expect((res.json() as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
    }
    // No parameters reach the handler's own rule, not a schema complaint about the body's type.
    const revocation = await dataPlane('/authz-store/rest/v3/revocation');
    expect(revocation.statusCode).toBe(400);
    expect(revocation.json().error_description).toMatch(/subject or client_id/);
  });

  it('data plane: still refuses a body that is there but not an object, or invalid', async () => {
    for (const [headers, payload] of [
      [JSON_TYPE, 'null'],
      [JSON_TYPE, '[]'],
      [JSON_TYPE, '{"rsa":'],
      [FORM_TYPE, 'rsa=1024'],
    ] as const) {
      const res = await dataPlane('/key-store/rest/v1/op/rotate', headers, payload);
      expect(res.statusCode, payload).toBe(400);
      expect(res.json().error).toBe('invalid_request');
    }
  });

  it('control plane: suspends and resumes on an empty JSON body, mints tokens with the defaults on no body', async () => {
    for (const [action, status] of [
      ['suspend', 'suspended'],
      ['resume', 'active'],
    ] as const) {
      const res = await controlPlane(`/tenants/rest/v1/${tid}/${action}`, JSON_TYPE);
      expect(res.statusCode, action).toBe(200);
      expect(res.json().status).toBe(status);
    }
    const admin = await controlPlane('/admin-tokens/rest/v1');
    expect(admin.statusCode).toBe(201);
    expect(admin.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600, tid: null });
    const api = await controlPlane(`/tenants/rest/v1/${tid}/api-tokens`, JSON_TYPE);
    expect(api.statusCode).toBe(201);
    expect(api.json().label).toBe('api');
  });

  it('control plane: still refuses a body that is there but not an object', async () => {
    for (const payload of ['null', '[]', '"x"']) {
      const res = await controlPlane('/admin-tokens/rest/v1', JSON_TYPE, payload);
      expect(res.statusCode, payload).toBe(400);
      expect(res.json()).toMatchObject({
        error: 'invalid_request',
        error_description: expect.stringMatching(/must be object/),
      });
    }
  });
});
