import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { uniqueTid } from '../../test/support/env.ts';
import { startInProcessPlanes, type InProcessPlanes } from '../../test/support/planes.ts';
import { ADMIN_JWT_AUDIENCE, ADMIN_JWT_ISSUER, adminJwtKey } from '../src/auth/admin-jwt.ts';

describe('admin JWTs (POST /admin-tokens/rest/v1)', () => {
  let planes: InProcessPlanes;
  let a: string;
  let b: string;
  const operator = () => ({ authorization: `Bearer ${planes.s.operatorKey}` });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const mint = async (body: object) => {
    const res = await planes.cp.inject({ method: 'POST', url: '/admin-tokens/rest/v1', headers: operator(), payload: body });
    expect(res.statusCode).toBe(201);
    return res.json() as { access_token: string; token_type: string; expires_in: number; tid: string | null };
  };
  const sign = (key: Uint8Array, claims: Record<string, unknown>, exp: number, alg = 'HS256') =>
    new SignJWT({ sub: 'operator', jti: randomUUID(), ...claims })
      .setProtectedHeader({ alg })
      .setIssuer(ADMIN_JWT_ISSUER)
      .setAudience(ADMIN_JWT_AUDIENCE)
      .setIssuedAt(exp - 3600)
      .setExpirationTime(exp)
      .sign(key);

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    a = (await planes.createTenant({ tid: uniqueTid('adm-a'), name: 'A', issuer: `https://${uniqueTid('a')}.example.com` })).tid;
    b = (await planes.createTenant({ tid: uniqueTid('adm-b'), name: 'B', issuer: `https://${uniqueTid('b')}.example.com` })).tid;
  });
  afterAll(async () => planes?.close());

  it('issues an unscoped token that works like the operator key, but cannot mint tokens itself', async () => {
    const token = await mint({ expires_in: 600 });
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 600, tid: null });
    const list = await planes.cp.inject({ method: 'GET', url: '/tenants/rest/v1?limit=200', headers: bearer(token.access_token) });
    expect(list.statusCode).toBe(200);
    expect(list.json().tenants.map((t: { tid: string }) => t.tid)).toEqual(expect.arrayContaining([a, b]));
    const again = await planes.cp.inject({ method: 'POST', url: '/admin-tokens/rest/v1', headers: bearer(token.access_token), payload: {} });
    expect(again.statusCode).toBe(403);
    expect(again.json().error).toBe('forbidden');
  });

  it('scopes a token to one tenant: 403 on every route of another tenant, and it cannot list or create others', async () => {
    const { access_token: token } = await mint({ tid: a });
    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      planes.cp.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

    expect((await call('GET', `/tenants/rest/v1/${a}`)).statusCode).toBe(200);
    expect((await call('PATCH', `/tenants/rest/v1/${a}`, { name: 'A, renamed' })).json().name).toBe('A, renamed');
    for (const [method, url, payload] of [
      ['GET', `/tenants/rest/v1/${b}`],
      ['PATCH', `/tenants/rest/v1/${b}`, { name: 'hijacked' }],
      ['POST', `/tenants/rest/v1/${b}/suspend`],
      ['POST', `/tenants/rest/v1/${b}/api-tokens`, { label: 'x' }],
      ['GET', `/tenants/rest/v1/${b}/api-tokens`],
      ['DELETE', `/tenants/rest/v1/${b}`],
      ['GET', `/tenants/rest/v1/${uniqueTid('ghost')}`],
    ] as const) {
      const res = await call(method, url, payload);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json()).toMatchObject({ error: 'forbidden' });
    }
    const bView = await planes.cp.inject({ method: 'GET', url: `/tenants/rest/v1/${b}`, headers: operator() });
    expect(bView.json()).toMatchObject({ name: 'B', status: 'active' });

    const list = await call('GET', '/tenants/rest/v1');
    expect(list.statusCode).toBe(200);
    expect(list.json().tenants.map((t: { tid: string }) => t.tid)).toEqual([a]);
    const other = uniqueTid('adm-c');
    const create = await call('POST', '/tenants/rest/v1', { tid: other, name: 'C', issuer: `https://${other}.example.com` });
    expect(create.statusCode).toBe(403);
    expect(await planes.s.db.selectFrom('tenants').select('tid').where('tid', '=', other).executeTakeFirst()).toBeUndefined();
  });

  it('refuses expired, forged and malformed tokens with 401 invalid_token', async () => {
    const key = adminJwtKey(planes.s.masterKey);
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign(key, {}, now - 60);
    const forged = await sign(randomBytes(32), {}, now + 600);
    const wrongAudience = await new SignJWT({ sub: 'operator', jti: randomUUID() }).setProtectedHeader({ alg: 'HS256' }).setIssuer(ADMIN_JWT_ISSUER).setAudience('someone-else').setIssuedAt().setExpirationTime(now + 600).sign(key);
    const genuine = await sign(key, {}, now + 600);
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${genuine.split('.')[1]}.`;
    const tampered = (() => {
      const [h, p, s] = genuine.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
      return `${h}.${Buffer.from(JSON.stringify({ ...claims, tid: undefined, exp: now + 99_999 })).toString('base64url')}.${s}`;
    })();

    const get = (token: string) => planes.cp.inject({ method: 'GET', url: `/tenants/rest/v1/${a}`, headers: bearer(token) });
    expect((await get(genuine)).statusCode).toBe(200); // the same key signs tokens the API accepts
    const exp = await get(expired);
    expect(exp.statusCode).toBe(401);
    expect(exp.json()).toMatchObject({ error: 'invalid_token', error_description: 'The admin token has expired' });
    expect(exp.headers['www-authenticate']).toContain('invalid_token');
    for (const token of [forged, wrongAudience, unsigned, tampered, 'a.b.c']) {
      const res = await get(token);
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('invalid_token');
    }
  });

  it('validates the mint request', async () => {
    for (const body of [{ expires_in: 10 }, { expires_in: 10 ** 9 }, { tid: 'Not_A_Label' }, { scope: 'all' }]) {
      const res = await planes.cp.inject({ method: 'POST', url: '/admin-tokens/rest/v1', headers: operator(), payload: body });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_request');
    }
    expect((await planes.cp.inject({ method: 'POST', url: '/admin-tokens/rest/v1', payload: {} })).statusCode).toBe(401);
  });
});
