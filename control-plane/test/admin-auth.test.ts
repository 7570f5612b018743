import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCalls } from '../../test/support/admin-calls.ts';
import { uniqueTid } from '../../test/support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from '../../test/support/planes.ts';
import { ADMIN_JWT_AUDIENCE, ADMIN_JWT_ISSUER, ADMIN_JWT_MAX_LIFETIME_S, adminJwtKey } from '../src/auth/admin-jwt.ts';

describe('admin JWTs (POST /admin-tokens/rest/v1)', () => {
  let planes: InProcessPlanes;
  let a: string;
  let b: string;
  const { operator, mintToken: mint } = adminCalls(() => planes);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const sign = (key: Uint8Array, claims: Record<string, unknown>, exp: number, alg = 'HS256', iat = exp - 3600) =>
    new SignJWT({ sub: 'operator', jti: randomUUID(), ...claims })
      .setProtectedHeader({ alg })
      .setIssuer(ADMIN_JWT_ISSUER)
      .setAudience(ADMIN_JWT_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(key);
  const claimsOf = (jwt: string) =>
    JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as {
      iat: number;
      exp: number;
      jti: string;
      tid?: string;
    };

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    a = (
      await planes.createTenant({ tid: uniqueTid('adm-a'), name: 'A', issuer: `https://${uniqueTid('a')}.example.com` })
    ).tid;
    b = (
      await planes.createTenant({ tid: uniqueTid('adm-b'), name: 'B', issuer: `https://${uniqueTid('b')}.example.com` })
    ).tid;
  });
  afterAll(async () => planes?.close());

  it('issues an unscoped token that works like the operator key, but cannot mint tokens itself', async () => {
    const token = await mint({ expires_in: 600 });
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 600, tid: null });
    const list = await planes.cp.inject({
      method: 'GET',
      url: '/tenants/rest/v1?limit=200',
      headers: bearer(token.access_token),
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().tenants.map((t: { tid: string }) => t.tid)).toEqual(expect.arrayContaining([a, b]));
    const again = await planes.cp.inject({
      method: 'POST',
      url: '/admin-tokens/rest/v1',
      headers: bearer(token.access_token),
      payload: {},
    });
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
    const create = await call('POST', '/tenants/rest/v1', {
      tid: other,
      name: 'C',
      issuer: `https://${other}.example.com`,
    });
    expect(create.statusCode).toBe(403);
    expect(
      await planes.s.db.selectFrom('tenants').select('tid').where('tid', '=', other).executeTakeFirst(),
    ).toBeUndefined();
  });

  it('refuses expired, forged and malformed tokens with 401 invalid_token', async () => {
    const key = adminJwtKey(planes.s.masterKey);
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign(key, {}, now - 60);
    const forged = await sign(randomBytes(32), {}, now + 600);
    const wrongAudience = await new SignJWT({ sub: 'operator', jti: randomUUID() })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ADMIN_JWT_ISSUER)
      .setAudience('someone-else')
      .setIssuedAt()
      .setExpirationTime(now + 600)
      .sign(key);
    const genuine = await sign(key, {}, now + 600);
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${genuine.split('.')[1]}.`;
    const tampered = (() => {
      const [h, p, s] = genuine.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
      return `${h}.${Buffer.from(JSON.stringify({ ...claims, tid: undefined, exp: now + 99_999 })).toString('base64url')}.${s}`;
    })();

    const get = (token: string) =>
      planes.cp.inject({ method: 'GET', url: `/tenants/rest/v1/${a}`, headers: bearer(token) });
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

  it('mints tokens that live exactly expires_in seconds, each with its own jti', async () => {
    for (const expiresIn of [60, 900, ADMIN_JWT_MAX_LIFETIME_S]) {
      const token = await mint({ tid: a, expires_in: expiresIn });
      const claims = claimsOf(token.access_token);
      expect(claims.exp - claims.iat).toBe(expiresIn);
      expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(60);
      expect(claims).toMatchObject({ tid: a, jti: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(token).toMatchObject({ expires_in: expiresIn, jti: claims.jti });
    }
    const jtis = await Promise.all([mint({}), mint({})]);
    expect(jtis[0].access_token).not.toBe(jtis[1].access_token);
    expect(claimsOf(jtis[0].access_token).jti).not.toBe(claimsOf(jtis[1].access_token).jti);
  });

  it('refuses a 60-second token once it is 70 seconds old, and any token older than the longest lifetime whatever its exp', async () => {
    const key = adminJwtKey(planes.s.masterKey);
    const now = Math.floor(Date.now() / 1000);
    const get = (token: string) =>
      planes.cp.inject({ method: 'GET', url: `/tenants/rest/v1/${a}`, headers: bearer(token) });
    // Minted 70 s ago for 60 s, signed with the API's own key.
    const sixtySeconds = await sign(key, {}, now - 10, 'HS256', now - 70);
    expect((await get(sixtySeconds)).json()).toMatchObject({
      error: 'invalid_token',
      error_description: 'The admin token has expired',
    });
    // A token whose exp is far off (as the old bug minted them) dies at the maxAge backstop.
    const overlong = await sign(key, {}, now + 10 ** 8, 'HS256', now - ADMIN_JWT_MAX_LIFETIME_S - 120);
    const refused = await get(overlong);
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ error: 'invalid_token', error_description: 'The admin token has expired' });
    // The same shape within the longest lifetime still works: the backstop is not the refusal above by accident.
    expect((await get(await sign(key, {}, now + 10 ** 8, 'HS256', now - 60))).statusCode).toBe(200);
  });

  it('revokes a token by its jti (operator key only, idempotent): 401 from then on, other tokens unaffected', async () => {
    const revoked = await mint({ tid: a, expires_in: 600 });
    const kept = await mint({ tid: a, expires_in: 600 });
    const get = (token: string) =>
      planes.cp.inject({ method: 'GET', url: `/tenants/rest/v1/${a}`, headers: bearer(token) });
    expect((await get(revoked.access_token)).statusCode).toBe(200);
    const jti = claimsOf(revoked.access_token).jti;
    const revoke = (headers: Record<string, string>, id = jti) =>
      planes.cp.inject({ method: 'DELETE', url: `/admin-tokens/rest/v1/${id}`, headers });

    // Neither the token itself nor an unscoped admin JWT may revoke (or un-revoke) anything.
    const unscoped = await mint({});
    for (const headers of [bearer(revoked.access_token), bearer(unscoped.access_token)]) {
      const res = await revoke(headers);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ error: 'forbidden', error_description: expect.any(String) });
    }
    expect((await get(revoked.access_token)).statusCode).toBe(200);

    expect((await revoke(operator())).statusCode).toBe(204);
    expect((await revoke(operator())).statusCode).toBe(204);
    const res = await get(revoked.access_token);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'invalid_token', error_description: 'The admin token has been revoked' });
    expect(res.headers['www-authenticate']).toContain('invalid_token');
    expect((await get(kept.access_token)).statusCode).toBe(200);
    // The denylist entry outlives every token it could name, and then goes.
    const ttl = await planes.s.redis.ttl(`admin-jwt:revoked:${jti}`);
    expect(ttl).toBeGreaterThanOrEqual(ADMIN_JWT_MAX_LIFETIME_S);
    expect(ttl).toBeLessThanOrEqual(ADMIN_JWT_MAX_LIFETIME_S + 3600);

    for (const id of ['not-a-jti', `${randomUUID()}x`]) {
      const bad = await revoke(operator(), id);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toBe('invalid_request');
    }
    expect((await planes.cp.inject({ method: 'DELETE', url: `/admin-tokens/rest/v1/${jti}` })).statusCode).toBe(401);
  });

  it('validates the mint request', async () => {
    for (const body of [{ expires_in: 10 }, { expires_in: 10 ** 9 }, { tid: 'Not_A_Label' }, { scope: 'all' }]) {
      const res = await planes.cp.inject({
        method: 'POST',
        url: '/admin-tokens/rest/v1',
        headers: operator(),
        payload: body,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_request');
    }
    expect((await planes.cp.inject({ method: 'POST', url: '/admin-tokens/rest/v1', payload: {} })).statusCode).toBe(
      401,
    );
  });
});
