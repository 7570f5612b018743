import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { SkippingClock } from './support/skipping-clock.ts';

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('token endpoint, refresh, introspection and revocation (Postgres + Redis)', () => {
  let planes: InProcessPlanes;
  // Skips the refresh-token grace period instead of sleeping through it.
  const clock = new SkippingClock();
  const t: Record<'a' | 'b', { tid: string; apiToken: string; clientId: string; secret: string }> = {} as never;
  const issued: string[] = [];

  const form = (
    who: 'a' | 'b',
    path: string,
    params: Record<string, string>,
    options: { auth?: string; raw?: string; contentType?: string } = {},
  ) =>
    planes.dp.app.inject({
      method: 'POST',
      url: path,
      headers: {
        'tenant-id': t[who].tid,
        'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
        authorization: options.auth ?? basic(t[who].clientId, t[who].secret),
      },
      payload: options.raw ?? new URLSearchParams(params).toString(),
    });
  const direct = async (who: 'a' | 'b', body: Record<string, unknown>) => {
    const res = await planes.dp.app.inject({
      method: 'POST',
      url: '/direct-authz/rest/v2',
      headers: {
        'tenant-id': t[who].tid,
        authorization: `Bearer ${t[who].apiToken}`,
        'content-type': 'application/json',
      },
      payload: JSON.stringify({ client_id: t[who].clientId, scope: ['read', 'write'], ...body }),
    });
    expect(res.statusCode).toBe(200);
    const tokens = res.json() as { access_token: string; refresh_token?: string };
    issued.push(tokens.access_token, ...(tokens.refresh_token ? [tokens.refresh_token] : []));
    return tokens;
  };
  const introspect = async (who: 'a' | 'b', token: string) =>
    (await form(who, '/token/introspect', { token })).json() as { active: boolean; sub?: string };
  const refresh = (who: 'a' | 'b', token: string) =>
    form(who, '/token', { grant_type: 'refresh_token', refresh_token: token });

  beforeAll(async () => {
    planes = await startInProcessPlanes({
      clock,
      passwordAuthenticator: {
        authenticate: async (_tid, username, password) =>
          username === 'alice' && password === 'wonderland' ? { sub: 'alice' } : null,
      },
    });
    for (const who of ['a', 'b'] as const) {
      const tid = uniqueTid(`tok-${who}`);
      const { apiToken } = await planes.createTenant({
        tid,
        name: tid,
        issuer: `https://${tid}.example.com`,
        config: {
          tokens: { refreshTokenReuseGracePeriod: 1 },
          grants: { grantTypes: ['client_credentials', 'refresh_token', 'password'], responseTypes: [] },
        },
      });
      const { clientId, secret } = await addClient(planes.s, tid, {
        grant_types: ['client_credentials', 'refresh_token', 'password'],
        scope: 'read write',
      });
      t[who] = { tid, apiToken, clientId, secret: secret! };
      issued.push(apiToken, secret!);
    }
  }, 60_000);
  afterAll(async () => planes.close());

  it('rotates refresh tokens: the old one works within the grace period, its reuse after it revokes the authorisation', async () => {
    const first = await direct('a', { sub: 'carol', long_lived: true, refresh_token: { issue: true, rotate: true } });
    const r1 = await refresh('a', first.refresh_token!);
    expect(r1.statusCode).toBe(200);
    const second = r1.json() as { access_token: string; refresh_token: string; expires_in: number };
    issued.push(second.access_token, second.refresh_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await introspect('a', second.access_token)).active).toBe(true);

    // within the grace period the old token still works
    const again = await refresh('a', first.refresh_token!);
    expect(again.statusCode).toBe(200);
    issued.push(again.json().access_token, again.json().refresh_token);

    clock.skip(2100); // past the 1 s grace period
    const reuse = await refresh('a', first.refresh_token!);
    expect(reuse.statusCode).toBe(400);
    expect(reuse.json()).toMatchObject({ error: 'invalid_grant' });
    // the whole authorisation is gone: its access tokens and the newest refresh token too
    expect((await introspect('a', second.access_token)).active).toBe(false);
    expect((await introspect('a', first.access_token)).active).toBe(false);
    expect((await refresh('a', second.refresh_token)).json().error).toBe('invalid_grant');
  });

  it('never lets an access token outlive its refresh token, and refreshes a narrower scope only', async () => {
    const tokens = await planes.dp.app.inject({
      method: 'POST',
      url: '/direct-authz/rest/v2',
      headers: { 'tenant-id': t.a.tid, authorization: `Bearer ${t.a.apiToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        client_id: t.a.clientId,
        scope: ['read', 'write'],
        sub: 'dave',
        long_lived: true,
        refresh_token: { issue: true, lifetime: 90 },
        access_token: { lifetime: 3600 },
      }),
    });
    // at issue and on refresh the access token lives no longer than the refresh token
    expect(tokens.json()).toMatchObject({ expires_in: 90, refresh_token_expires_in: 90 });
    const res = await refresh('a', tokens.json().refresh_token);
    expect(res.statusCode).toBe(200);
    expect(res.json().expires_in).toBeGreaterThan(80);
    expect(res.json().expires_in).toBeLessThanOrEqual(90);
    expect(res.json().refresh_token).toBeUndefined(); // no rotation: the client keeps its refresh token
    const rt = tokens.json().refresh_token as string;
    expect(
      (await form('a', '/token', { grant_type: 'refresh_token', refresh_token: rt, scope: 'read' })).json().scope,
    ).toBe('read');
    expect(
      (await form('a', '/token', { grant_type: 'refresh_token', refresh_token: rt, scope: 'admin' })).json().error,
    ).toBe('invalid_scope');
  });

  it('introspects identifier tokens as active until revoked, then inactive', async () => {
    const tokens = await direct('a', { sub: 'erin', access_token: { encoding: 'IDENTIFIER' } });
    const active = await introspect('a', tokens.access_token);
    expect(active).toMatchObject({
      active: true,
      sub: 'erin',
      client_id: t.a.clientId,
      scope: 'read write',
      token_type: 'Bearer',
    });
    const revoked = await form('a', '/token/revoke', { token: tokens.access_token });
    expect(revoked.statusCode).toBe(200);
    expect(await introspect('a', tokens.access_token)).toEqual({ active: false });
    // a JWT access token of the same grant issued before the revocation is inactive too
    expect((await introspect('a', 'not-a-token')).active).toBe(false);
  });

  it('revoking a refresh token revokes its authorisation’s tokens', async () => {
    const tokens = await direct('a', { sub: 'frank', long_lived: true, refresh_token: { issue: true } });
    expect((await introspect('a', tokens.access_token)).active).toBe(true);
    expect(
      (await form('a', '/token/revoke', { token: tokens.refresh_token!, token_type_hint: 'refresh_token' })).statusCode,
    ).toBe(200);
    expect((await introspect('a', tokens.access_token)).active).toBe(false);
    expect((await refresh('a', tokens.refresh_token!)).json().error).toBe('invalid_grant');
  });

  it('answers signed JWT introspection responses (RFC 9701)', async () => {
    const tokens = await direct('a', { sub: 'gina' });
    const res = await planes.dp.app.inject({
      method: 'POST',
      url: '/token/introspect',
      headers: {
        'tenant-id': t.a.tid,
        authorization: basic(t.a.clientId, t.a.secret),
        accept: 'application/token-introspection+jwt',
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: `token=${tokens.access_token}`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/token-introspection\+jwt/);
    const [header, payload] = res.body
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header.typ).toBe('token-introspection+jwt');
    expect(payload).toMatchObject({
      iss: `https://${t.a.tid}.example.com`,
      aud: t.a.clientId,
      token_introspection: { active: true, sub: 'gina' },
    });
  });

  it('runs the password grant through the handler slot, with a self-contained refresh token', async () => {
    const ok = await form('a', '/token', {
      grant_type: 'password',
      username: 'alice',
      password: 'wonderland',
      scope: 'read',
    });
    expect(ok.statusCode).toBe(200);
    const tokens = ok.json();
    issued.push(tokens.access_token, tokens.refresh_token);
    expect(tokens.refresh_token.split('.')).toHaveLength(5);
    const refreshed = await refresh('a', tokens.refresh_token);
    expect(refreshed.statusCode).toBe(200);
    expect((await introspect('a', refreshed.json().access_token)).sub).toBe('alice');
    const bad = await form('a', '/token', { grant_type: 'password', username: 'alice', password: 'nope' });
    expect(bad.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('keeps tenants apart: a client of A is unknown at B, a token of A is inactive at B', async () => {
    const cc = await form(
      'b',
      '/token',
      { grant_type: 'client_credentials' },
      { auth: basic(t.a.clientId, t.a.secret) },
    );
    expect(cc.statusCode).toBe(401);
    expect(cc.json().error).toBe('invalid_client');
    for (const encoding of ['SELF_CONTAINED', 'IDENTIFIER']) {
      const tokens = await direct('a', { sub: 'hank', access_token: { encoding } });
      expect((await introspect('a', tokens.access_token)).active).toBe(true);
      expect(await introspect('b', tokens.access_token)).toEqual({ active: false });
    }
    const rt = await direct('a', { sub: 'ivy', long_lived: true, refresh_token: { issue: true } });
    expect((await refresh('b', rt.refresh_token!)).json().error).toBe('invalid_grant');
  });

  it('answers malformed requests with RFC error objects, never a 500', async () => {
    const cases: Array<[string, Awaited<ReturnType<typeof form>>, number, string]> = [
      [
        'json body',
        await form('a', '/token', {}, { raw: '{"grant_type":"client_credentials"}', contentType: 'application/json' }),
        400,
        'invalid_request',
      ],
      [
        'repeated parameter',
        await form('a', '/token', {}, { raw: 'grant_type=client_credentials&grant_type=client_credentials' }),
        400,
        'invalid_request',
      ],
      [
        'oversized body',
        await form('a', '/token', {}, { raw: `grant_type=client_credentials&x=${'a'.repeat(50_001)}` }),
        400,
        'invalid_request',
      ],
      [
        'unsupported grant',
        await form('a', '/token', { grant_type: 'urn:example:magic' }),
        400,
        'unsupported_grant_type',
      ],
      ['missing grant type', await form('a', '/token', { scope: 'read' }), 400, 'invalid_request'],
      [
        'grant not enabled',
        await form('a', '/token', { grant_type: 'authorization_code', code: 'x' }),
        400,
        'unsupported_grant_type',
      ],
      [
        'no client',
        await form('a', '/token', { grant_type: 'client_credentials' }, { auth: '' }),
        401,
        'invalid_client',
      ],
      [
        'two auth methods',
        await form('a', '/token', {
          grant_type: 'client_credentials',
          client_id: t.a.clientId,
          client_secret: t.a.secret,
        }),
        400,
        'invalid_request',
      ],
      [
        'bad scope',
        await form('a', '/token', { grant_type: 'client_credentials', scope: 'admin' }),
        400,
        'invalid_scope',
      ],
      ['introspect without token', await form('a', '/token/introspect', {}), 400, 'invalid_request'],
    ];
    for (const [name, res, status, error] of cases) {
      expect(res.statusCode, name).toBe(status);
      expect(res.json(), name).toMatchObject({ error });
      expect(typeof res.json().error_description, name).toBe('string');
      expect(res.body, name).not.toMatch(/\n\s+at /);
    }
  });

  it('keeps no token or secret in plain text in Postgres or Redis', async () => {
    expect(issued.length).toBeGreaterThan(10);
    const tables = [
      'tenants',
      'tenant_configs',
      'tenant_keys',
      'tenant_api_tokens',
      'tenant_hsm_tokens',
      'tenant_secrets',
      'clients',
      'authorizations',
      'refresh_tokens',
      'revocations',
    ];
    let dump = '';
    for (const table of tables) {
      const rows = await planes.s.db
        .selectFrom(table as 'tenants')
        .selectAll()
        .execute();
      dump += JSON.stringify(rows);
    }
    const redis = planes.s.redis;
    const prefix = planes.s.settings.redisPrefix;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      for (const key of keys) {
        const type = await redis.type(key.slice(prefix.length));
        dump += key;
        if (type === 'string') dump += (await redis.get(key.slice(prefix.length))) ?? '';
      }
      cursor = next;
    } while (cursor !== '0');
    expect(dump.length).toBeGreaterThan(1000);
    for (const secret of issued) expect(dump.includes(secret), `found ${secret.slice(0, 12)}…`).toBe(false);
  });
});
