import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { SkippingClock } from './support/skipping-clock.ts';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('access-token profiles, encryption, audience restriction and bearer introspection', () => {
  let planes: InProcessPlanes;
  // Skips a refresh token's maximum idle time instead of sleeping through it.
  const clock = new SkippingClock();

  async function tenant(config: Record<string, unknown>, scope?: string) {
    const tid = uniqueTid('fmt');
    const issuer = `https://${tid}.example.com`;
    const { apiToken } = await planes.createTenant({
      tid,
      name: tid,
      issuer,
      config: { grants: { grantTypes: ['client_credentials', 'refresh_token'], responseTypes: [] }, ...config },
    });
    const client = await addClient(planes.s, tid, {
      grant_types: ['client_credentials', 'refresh_token'],
      ...(scope ? { scope } : {}),
    });
    const other = await addClient(planes.s, tid, { grant_types: ['client_credentials'] });
    const call = (path: string, body: string, headers: Record<string, string> = {}) =>
      planes.dp.app.inject({
        method: 'POST',
        url: path,
        headers: {
          'tenant-id': tid,
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basic(client.clientId, client.secret!),
          ...headers,
        },
        payload: body,
      });
    const direct = async (body: Record<string, unknown>) =>
      (
        await planes.dp.app.inject({
          method: 'POST',
          url: '/direct-authz/rest/v2',
          headers: { 'tenant-id': tid, authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
          payload: JSON.stringify({ client_id: client.clientId, scope: ['read'], ...body }),
        })
      ).json() as { access_token: string; refresh_token?: string };
    const jwks = async () =>
      createLocalJWKSet(
        (
          await planes.dp.app.inject({ method: 'GET', url: '/jwks.json', headers: { 'tenant-id': tid } })
        ).json() as JSONWebKeySet,
      );
    return { tid, issuer, client, other, call, direct, jwks };
  }

  beforeAll(async () => {
    planes = await startInProcessPlanes({ clock });
  });
  afterAll(async () => planes.close());

  it('issues RFC 9068 tokens in the oauth-1.0 profile and untyped ones in c2id-1.0', async () => {
    const rfc = await tenant({ tokens: { accessTokenProfile: 'oauth-1.0' } }, 'x y');
    const ok = (await rfc.call('/token', 'grant_type=client_credentials&scope=x%20y')).json();
    const { payload, protectedHeader } = await jwtVerify(ok.access_token, await rfc.jwks(), {
      issuer: rfc.issuer,
      typ: 'at+jwt',
    });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({
      client_id: rfc.client.clientId,
      aud: [rfc.issuer],
      scope: 'x y',
      sub: rfc.client.clientId,
    });
    expect(payload.cid).toBeUndefined();

    const legacy = await tenant({ tokens: { accessTokenProfile: 'c2id-1.0' } });
    const t2 = (await legacy.call('/token', 'grant_type=client_credentials')).json();
    expect(decodeProtectedHeader(t2.access_token).typ).toBeUndefined();
    expect((await jwtVerify(t2.access_token, await legacy.jwks())).payload).toMatchObject({
      cid: legacy.client.clientId,
      scp: [],
    });
  });

  it('encrypts JWT access tokens on request (dir + the tenant key) and still introspects them', async () => {
    const t = await tenant({ tokens: { accessTokenEncryptionMethod: 'A256GCM' } });
    const { access_token } = await t.direct({ sub: 'zoe', access_token: { encrypt: true } });
    expect(access_token.split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(access_token)).toMatchObject({ alg: 'dir', enc: 'A256GCM', cty: 'JWT' });
    expect((await t.call('/token/introspect', `token=${access_token}`)).json()).toMatchObject({
      active: true,
      sub: 'zoe',
    });
  });

  it('lets only the audience introspect an audience-restricted identifier token', async () => {
    const t = await tenant({});
    const { access_token } = await t.direct({
      sub: 'yan',
      audience: [t.other.clientId],
      access_token: { encoding: 'IDENTIFIER' },
    });
    expect((await t.call('/token/introspect', `token=${access_token}`)).json()).toEqual({ active: false });
    const asAudience = await t.call('/token/introspect', `token=${access_token}`, {
      authorization: basic(t.other.clientId, t.other.secret!),
    });
    expect(asAudience.json()).toMatchObject({ active: true, sub: 'yan', aud: [t.other.clientId] });
  });

  it('accepts a bearer token with the introspection scope, and refuses one without it', async () => {
    const t = await tenant({});
    const { access_token: target } = await t.direct({ sub: 'xena' });
    const { access_token: reader } = await t.direct({ sub: 'rs', scope: ['urn:c2id:introspection_endpoint'] });
    const { access_token: plain } = await t.direct({ sub: 'rs2' });
    const ok = await t.call('/token/introspect', `token=${target}`, { authorization: `Bearer ${reader}` });
    expect(ok.json()).toMatchObject({ active: true, sub: 'xena' });
    const refused = await t.call('/token/introspect', `token=${target}`, { authorization: `Bearer ${plain}` });
    expect(refused.statusCode).toBe(401);
  });

  it('rejects a refresh token idle for longer than its maximum idle time', async () => {
    const t = await tenant({});
    const { refresh_token } = await t.direct({
      sub: 'wes',
      long_lived: true,
      refresh_token: { issue: true, max_idle: 1 },
    });
    const first = await t.call('/token', `grant_type=refresh_token&refresh_token=${refresh_token}`);
    expect(first.statusCode).toBe(200);
    expect(first.json().expires_in).toBeLessThanOrEqual(1);
    clock.skip(2100); // idle past max_idle (1 s)
    const idle = await t.call('/token', `grant_type=refresh_token&refresh_token=${refresh_token}`);
    expect(idle.json()).toMatchObject({ error: 'invalid_grant' });
  });
});
