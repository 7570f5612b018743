import { encodeJarmResponse } from '@tessera/data-plane/authz/jarm';
import { fetchRequestObject } from '@tessera/data-plane/authz/request-object';
import { ClientKeySets } from '@tessera/data-plane/client-auth/client-jwks';
import type { DataPlaneDeps } from '@tessera/data-plane/data-plane-deps';
import { RedisPushedRequestStore } from '@tessera/data-plane/stores/pushed-request-store';
import type { Client } from '@tessera/shared/clients/client';
import { outboundPolicy } from '@tessera/shared/http/outbound-policy';
import { systemClock } from '@tessera/shared/time/clock';
import {
  CompactEncrypt,
  compactDecrypt,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  jwtVerify,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { eventually, uniqueTid } from './support/env.ts';
import { startHttpsServer } from './support/https-server.ts';
import { basicAuth } from './support/issuer-http.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

type Who = 'a' | 'b';

describe('PAR, request objects and JARM (Postgres + Redis)', () => {
  let planes: InProcessPlanes;
  let https: Awaited<ReturnType<typeof startHttpsServer>>;
  const t: Record<Who, { tid: string; issuer: string; apiToken: string; clientId: string; secret: string }> =
    {} as never;
  let clientKey: { privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']; jwk: JWK };
  let signed: { clientId: string; secret: string | null }; // a client with a registered jwks that insists on signed request objects
  let hosted = '';

  const par = (who: Who, params: Record<string, string>, auth = basicAuth(t[who].clientId, t[who].secret)) =>
    planes.dp.app.inject({
      method: 'POST',
      url: '/par',
      headers: { 'tenant-id': t[who].tid, 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
      payload: new URLSearchParams(params).toString(),
    });
  const basic = { response_type: 'code', redirect_uri: 'https://client.example.com/cb', scope: 'openid', state: 's1' };
  const store = () => new RedisPushedRequestStore(planes.s.redis);
  const object = (who: Who, claims: Record<string, unknown>) =>
    new SignJWT({ ...basic, client_id: t[who].clientId, ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(t[who].clientId)
      .setAudience(t[who].issuer)
      .setIssuedAt()
      .setExpirationTime('2m');

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    for (const who of ['a', 'b'] as const) {
      const tid = uniqueTid(`par-${who}`);
      const issuer = `https://${tid}.example.com`;
      const { apiToken } = await planes.createTenant({ tid, name: tid, issuer });
      const { clientId, secret } = await addClient(planes.s, tid, {
        redirect_uris: ['https://client.example.com/cb'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        scope: 'openid',
      });
      t[who] = { tid, issuer, apiToken, clientId, secret: secret! };
    }
    const pair = await generateKeyPair('ES256', { extractable: true });
    clientKey = {
      privateKey: pair.privateKey,
      jwk: { ...(await exportJWK(pair.publicKey)), kid: 'c1', alg: 'ES256', use: 'sig' },
    };
    https = await startHttpsServer({
      '/ro/1': { type: 'application/oauth-authz-req+jwt', body: () => hosted },
      '/big': { body: 'x'.repeat(60_000) },
    });
    signed = await addClient(planes.s, t.a.tid, {
      redirect_uris: ['https://client.example.com/cb'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      jwks: { keys: [clientKey.jwk as Record<string, unknown>] },
      require_signed_request_object: true,
      request_uris: [`${https.url}/ro/`],
    });
  }, 60_000);
  afterAll(async () => {
    await https?.close();
    await planes.close();
  });

  it('pushes a request: 201 with a single-use URN that lives 60 s, bound to tenant and client', async () => {
    const res = await par('a', basic);
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json() as { request_uri: string; expires_in: number };
    expect(body.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
    expect(body.expires_in).toBe(60);
    expect(
      await planes.s.redis.ttl(
        `par:${t.a.tid}:${(await import('node:crypto')).createHash('sha256').update(body.request_uri).digest('base64url')}`,
      ),
    ).toBeGreaterThan(55);
    // tenant B cannot use it, nor can another client (and a failed attempt does not hand it over later either)
    expect(await store().take(t.b.tid, t.a.clientId, body.request_uri)).toBeNull();
    const again = (await par('a', basic)).json() as { request_uri: string };
    expect(await store().take(t.a.tid, 'someone-else', again.request_uri)).toBeNull();
    expect(await store().take(t.a.tid, t.a.clientId, again.request_uri)).toBeNull();
    // the right tenant and client get it once; the second use is refused
    expect(await store().take(t.a.tid, t.a.clientId, body.request_uri)).toMatchObject({
      ...basic,
      client_id: t.a.clientId,
    });
    expect(await store().take(t.a.tid, t.a.clientId, body.request_uri)).toBeNull();
  });

  it('authenticates the client, refuses request_uri, unregistered redirect URIs and foreign clients', async () => {
    expect((await par('a', basic, basicAuth(t.a.clientId, 'wrong'))).statusCode).toBe(401);
    expect((await par('b', basic, basicAuth(t.a.clientId, t.a.secret))).statusCode).toBe(401); // client of tenant A at tenant B
    const withUri = await par('a', { ...basic, request_uri: 'urn:ietf:params:oauth:request_uri:x' });
    expect(withUri.statusCode).toBe(400);
    expect(withUri.json()).toMatchObject({ error: 'invalid_request' });
    expect((await par('a', { ...basic, redirect_uri: 'https://evil.example.com/cb' })).json()).toMatchObject({
      error: 'invalid_request',
    });
    const secret = (await par('a', { ...basic, client_id: t.a.clientId })).json() as { request_uri: string };
    expect(await store().take(t.a.tid, t.a.clientId, secret.request_uri)).not.toHaveProperty('client_secret');
  });

  it('advertises PAR and the per-tenant requirement in the metadata', async () => {
    const res = await planes.dp.app.inject({
      url: '/.well-known/openid-configuration',
      headers: { 'tenant-id': t.a.tid },
    });
    expect(res.json()).toMatchObject({
      pushed_authorization_request_endpoint: `${t.a.issuer}/par`,
      require_pushed_authorization_requests: false,
    });
    expect(res.json().request_object_signing_alg_values_supported).not.toContain('none');
  });

  it('takes a request object instead of parameters: HS256 with the client secret, only its parameters count', async () => {
    const jwt = await object('a', { nonce: 'n-1', max_age: 60, claims: { id_token: { email: null } } }).sign(
      Buffer.from(t.a.secret),
    );
    const res = await par('a', { request: jwt, client_id: t.a.clientId, scope: 'ignored' });
    expect(res.statusCode).toBe(201);
    const params = await store().take(t.a.tid, t.a.clientId, res.json().request_uri);
    expect(params).toMatchObject({
      ...basic,
      nonce: 'n-1',
      max_age: '60',
      claims: '{"id_token":{"email":null}}',
      client_id: t.a.clientId,
    });
    expect(params).not.toHaveProperty('iss');
  });

  it('verifies asymmetric signatures with the client jwks and encrypted (nested) objects with the tenant key', async () => {
    const make = () =>
      new SignJWT({ ...basic, client_id: signed.clientId })
        .setProtectedHeader({ alg: 'ES256', kid: 'c1' })
        .setIssuer(signed.clientId)
        .setAudience(t.a.issuer)
        .setExpirationTime('2m');
    const jws = await make().sign(clientKey.privateKey);
    const auth = basicAuth(signed.clientId, signed.secret!);
    const ok = await par('a', { request: jws }, auth);
    expect(ok.statusCode).toBe(201);
    expect(await store().take(t.a.tid, signed.clientId, ok.json().request_uri)).toMatchObject(basic);

    // encrypted to the tenant's RSA-OAEP-256 key from /jwks.json
    const jwks = (await planes.dp.app.inject({ url: '/jwks.json', headers: { 'tenant-id': t.a.tid } })).json() as {
      keys: JWK[];
    };
    const encKey = jwks.keys.find((k) => k.use === 'enc')!;
    const jwe = await new CompactEncrypt(Buffer.from(jws))
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: encKey.kid!, cty: 'JWT' })
      .encrypt(await importJWK(encKey, 'RSA-OAEP-256'));
    const nested = await par('a', { request: jwe }, auth);
    expect(nested.statusCode).toBe(201);
    // tenant B's key cannot open what was encrypted for tenant A
    const bJwks = (await planes.dp.app.inject({ url: '/jwks.json', headers: { 'tenant-id': t.b.tid } })).json() as {
      keys: JWK[];
    };
    const bKey = bJwks.keys.find((k) => k.use === 'enc')!;
    const forB = await new CompactEncrypt(Buffer.from(jws))
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: bKey.kid!, cty: 'JWT' })
      .encrypt(await importJWK(bKey, 'RSA-OAEP-256'));
    expect((await par('a', { request: forB }, auth)).json()).toMatchObject({ error: 'invalid_request_object' });

    // an unsigned object is refused where signing is required (tenant default and this client's require_signed_request_object)
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ ...basic, client_id: signed.clientId, iss: signed.clientId, aud: t.a.issuer })).toString('base64url')}.`;
    const refused = await par('a', { request: unsigned }, auth);
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: 'invalid_request_object' });
    // a client-hosted request_uri under a registered prefix is fetched over https; unregistered and oversized ones are not
    hosted = jws;
    const client = (
      await planes.s.db
        .selectFrom('clients')
        .select('metadata')
        .where('tid', '=', t.a.tid)
        .where('client_id', '=', signed.clientId)
        .executeTakeFirstOrThrow()
    ).metadata as Client['metadata'];
    const asClient = { tid: t.a.tid, clientId: signed.clientId, metadata: client } as Client;
    const outbound = outboundPolicy({ allowPrivate: planes.s.settings.clientFetchPrivate }); // allow: the test's host is 127.0.0.1
    expect(await fetchRequestObject(asClient, `${https.url}/ro/1`, outbound)).toBe(jws);
    await expect(fetchRequestObject(asClient, `${https.url}/big`, outbound)).rejects.toMatchObject({
      code: 'invalid_request_uri',
    });
    await expect(fetchRequestObject(asClient, 'https://elsewhere.example.com/ro/1', outbound)).rejects.toMatchObject({
      code: 'invalid_request_uri',
    });
  });

  it('refuses unsigned objects by default, accepts them once the tenant allows, and checks iss, aud, exp and client_id', async () => {
    const unsigned = (claims: Record<string, unknown>) =>
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...basic, ...claims })).toString('base64url')}.`;
    expect((await par('b', { request: unsigned({}) })).json()).toMatchObject({ error: 'invalid_request_object' });
    const patched = await planes.cp.inject({
      method: 'PATCH',
      url: `/tenants/rest/v1/${t.b.tid}`,
      headers: { authorization: `Bearer ${planes.s.operatorKey}` },
      payload: { config: { requests: { allowUnsignedRequestObjects: true } } },
    });
    expect(patched.statusCode).toBe(200);
    // Accepted as soon as this node hears of the change (polled, not waited for).
    await eventually(
      async () => (await par('b', { request: unsigned({}) })).statusCode,
      (status) => status === 201,
    );

    const bad = async (jwt: string) => (await par('a', { request: jwt })).json();
    const key = Buffer.from(t.a.secret);
    expect(await bad(await object('a', {}).setAudience('https://other.example.com').sign(key))).toMatchObject({
      error: 'invalid_request_object',
    });
    expect(await bad(await object('a', {}).setIssuer('someone').sign(key))).toMatchObject({
      error: 'invalid_request_object',
    });
    expect(
      await bad(
        await object('a', {})
          .setExpirationTime(Math.floor(Date.now() / 1000) - 120)
          .sign(key),
      ),
    ).toMatchObject({ error: 'invalid_request_object' });
    expect(await bad(await object('a', { client_id: 'another' }).sign(key))).toMatchObject({
      error: 'invalid_request_object',
    });
    expect(await bad(await object('a', { request_uri: 'https://x.example.com' }).sign(key))).toMatchObject({
      error: 'invalid_request_object',
    });
    expect(await bad(await object('a', {}).sign(Buffer.from('not-the-secret')))).toMatchObject({
      error: 'invalid_request_object',
    });
  });

  it('encodes JARM responses signed with the tenant key (verifiable against /jwks.json), optionally encrypted to the client', async () => {
    const context = (await planes.dp.cache.load(t.a.tid))!;
    const deps = {
      keyStores: planes.s.keyStores as DataPlaneDeps['keyStores'],
      clientKeySets: new ClientKeySets(outboundPolicy({ allowPrivate: false }), systemClock),
      oauth: { clock: systemClock },
    } as DataPlaneDeps;
    const client = { tid: t.a.tid, clientId: t.a.clientId, metadata: {}, secret: t.a.secret } as Client;
    const jwt = await encodeJarmResponse({
      tenant: context,
      issuer: t.a.issuer,
      client,
      params: { code: 'abc', state: 's1' },
      deps,
    });
    const jwks = (
      await planes.dp.app.inject({ url: '/jwks.json', headers: { 'tenant-id': t.a.tid } })
    ).json() as JSONWebKeySet;
    const { payload, protectedHeader } = await jwtVerify(jwt, createLocalJWKSet(jwks), {
      issuer: t.a.issuer,
      audience: t.a.clientId,
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ code: 'abc', state: 's1' });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(600);

    const encPair = await generateKeyPair('ECDH-ES+A256KW', { extractable: true });
    const encJwk = { ...(await exportJWK(encPair.publicKey)), kid: 'e1', use: 'enc' };
    const encrypted = await encodeJarmResponse({
      tenant: context,
      issuer: t.a.issuer,
      deps,
      params: { error: 'access_denied', state: 's2' },
      client: {
        ...client,
        metadata: {
          jwks: { keys: [encJwk] },
          authorization_signed_response_alg: 'ES256',
          authorization_encrypted_response_alg: 'ECDH-ES+A256KW',
        },
      } as Client,
    });
    expect(encrypted.split('.')).toHaveLength(5);
    const inner = new TextDecoder().decode((await compactDecrypt(encrypted, encPair.privateKey)).plaintext);
    const verified = await jwtVerify(inner, createLocalJWKSet(jwks), { issuer: t.a.issuer, audience: t.a.clientId });
    expect(verified.protectedHeader.alg).toBe('ES256');
    expect(verified.payload).toMatchObject({ error: 'access_denied', state: 's2' });

    const hs = await encodeJarmResponse({
      tenant: context,
      issuer: t.a.issuer,
      deps,
      params: { code: 'x' },
      client: { ...client, metadata: { authorization_signed_response_alg: 'HS256' } } as Client,
    });
    expect((await jwtVerify(hs, Buffer.from(t.a.secret))).payload.code).toBe('x');
  });
});
