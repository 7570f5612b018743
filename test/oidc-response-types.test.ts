import { createHash, randomBytes } from 'node:crypto';
import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import {
  compactDecrypt,
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  jwtVerify,
} from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeFlow, type Message, responseParams, sessionApi } from './support/authz-session.ts';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const REDIRECT = 'https://rp.example.com/cb';
const ALL_TYPES = ['code', 'id_token', 'token', 'id_token token', 'code id_token', 'code token', 'code id_token token'];

const halfHash = (alg: string, value: string) => {
  const hash = alg === 'EdDSA' || alg.endsWith('512') ? 'sha512' : alg.endsWith('384') ? 'sha384' : 'sha256';
  const d = createHash(hash).update(value).digest();
  return d.subarray(0, d.length / 2).toString('base64url');
};
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/**
 * Every response type in every response mode that may carry it completes,
 * with our own checks of signatures and hashes (openid-client where it
 * implements the flow); per-client ID token algorithms and encryption;
 * UserInfo as a signed and an encrypted JWT.
 */
describe('response types, response modes, ID token algorithms', () => {
  let planes: InProcessPlanes;
  let issuer: string;
  let tid: string;
  let apiToken: string;
  let clientId: string;
  let secret: string;
  let jwks: ReturnType<typeof createLocalJWKSet>;

  const register = (metadata: Record<string, unknown> = {}) =>
    addClient(planes.s, tid, {
      grant_types: ['authorization_code', 'implicit', 'refresh_token'],
      response_types: ALL_TYPES,
      redirect_uris: [REDIRECT],
      ...metadata,
    });

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    tid = uniqueTid('rt');
    issuer = `${planes.dataPlaneUrl}/${tid}`;
    ({ apiToken } = await planes.createTenant({
      tid,
      name: tid,
      issuer,
      config: { grants: { grantTypes: ['authorization_code', 'implicit', 'refresh_token'], responseTypes: ALL_TYPES } },
    }));
    await new PostgresUserDirectory(planes.s.db).create(tid, {
      username: 'alice',
      sub: 'alice',
      password: 'pw-alice-123',
      claims: { name: 'Alice', email: 'alice@example.com' },
    });
    ({ clientId, secret } = (await register()) as { clientId: string; secret: string });
    jwks = createLocalJWKSet((await (await fetch(`${issuer}/jwks.json`)).json()) as JSONWebKeySet);
  }, 60_000);
  afterAll(async () => planes.close());

  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const query = (responseType: string, extra: Record<string, string> = {}, id = clientId) =>
    new URLSearchParams({
      response_type: responseType,
      client_id: id,
      redirect_uri: REDIRECT,
      scope: 'openid email',
      state: 'st-1',
      nonce: 'n-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    }).toString();
  const redeem = async (code: string, id = clientId, sec = secret, codeVerifier = verifier) => {
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(id, sec) },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        code_verifier: codeVerifier,
      }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };

  for (const type of ALL_TYPES) {
    const modes = type === 'code' ? ['query', 'fragment', 'form_post'] : ['fragment', 'form_post'];
    for (const mode of modes) {
      it(`completes response_type=${type} in response_mode=${mode}`, async () => {
        const words = type.split(' ');
        const { final } = await completeFlow(issuer, apiToken, query(type, { response_mode: mode }));
        expect(final.type).toBe('response');
        expect(final.mode).toBe(mode);
        if (mode === 'form_post') expect(final.parameters).toMatchObject({ uri: REDIRECT });
        else expect(final.parameters!.uri.startsWith(`${REDIRECT}${mode === 'query' ? '?' : '#'}`)).toBe(true);
        const p = responseParams(final);
        expect(p.iss).toBe(issuer);
        expect(p.state).toBe('st-1');
        expect(p.code !== undefined).toBe(words.includes('code'));
        expect(p.access_token !== undefined).toBe(words.includes('token'));
        expect(p.id_token !== undefined).toBe(words.includes('id_token'));
        expect(p.refresh_token).toBeUndefined();
        if (p.access_token) {
          expect(p.token_type).toBe('Bearer');
          expect((await jwtVerify(p.access_token, jwks, { issuer })).payload).toMatchObject({
            sub: 'alice',
            cid: clientId,
          });
        }
        if (p.id_token) {
          const { payload, protectedHeader } = await jwtVerify(p.id_token, jwks, { issuer, audience: clientId });
          expect(payload).toMatchObject({ sub: 'alice', nonce: 'n-1' });
          expect(payload.c_hash).toBe(p.code ? halfHash(protectedHeader.alg, p.code) : undefined);
          expect(payload.at_hash).toBe(p.access_token ? halfHash(protectedHeader.alg, p.access_token) : undefined);
          expect(payload.s_hash).toBe(p.code ? halfHash(protectedHeader.alg, 'st-1') : undefined);
          // Without an access token to fetch UserInfo with, the consented claims come in the ID token.
          if (type === 'id_token') expect(payload).toMatchObject({ email: 'alice@example.com' });
        }
        if (p.code) {
          const { status, body } = await redeem(p.code);
          expect(status).toBe(200);
          const { payload } = await jwtVerify(body.id_token!, jwks, { issuer, audience: clientId });
          expect(payload).toMatchObject({ sub: 'alice', nonce: 'n-1' });
          expect(payload.at_hash).toBe(halfHash('RS256', body.access_token!));
        }
      });
    }
  }

  it('refuses the query response mode for types that return tokens', async () => {
    const { body } = await sessionApi(issuer, apiToken, 'POST', '', {
      query: query('code id_token', { response_mode: 'query' }),
    });
    expect(body.type).toBe('response');
    expect(responseParams(body)).toMatchObject({ error: 'invalid_request', state: 'st-1', iss: issuer });
  });

  it('passes openid-client’s hybrid (code id_token) and implicit (id_token) validation', async () => {
    const config = await oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(secret), {
      execute: [oidc.allowInsecureRequests],
    });
    oidc.useCodeIdTokenResponseType(config);
    const hybrid = await completeFlow(issuer, apiToken, query('code id_token'));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(hybrid.final.parameters!.uri), {
      pkceCodeVerifier: verifier,
      expectedNonce: 'n-1',
      expectedState: 'st-1',
    });
    expect(tokens.claims()).toMatchObject({ sub: 'alice', nonce: 'n-1' });

    const implicit = await oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(secret), {
      execute: [oidc.allowInsecureRequests],
    });
    oidc.useIdTokenResponseType(implicit);
    const flow = await completeFlow(issuer, apiToken, query('id_token'));
    const claims = await oidc.implicitAuthentication(implicit, new URL(flow.final.parameters!.uri), 'n-1', {
      expectedState: 'st-1',
    });
    expect(claims).toMatchObject({ iss: issuer, sub: 'alice', aud: clientId });
  });

  const idTokenOf = async (id: string, sec: string) => {
    const { final } = await completeFlow(issuer, apiToken, query('code', {}, id));
    const { status, body } = await redeem(responseParams(final).code!, id, sec);
    expect(status).toBe(200);
    return body;
  };

  for (const alg of ['HS256', 'HS512', 'ES256', 'EdDSA']) {
    it(`signs ID tokens with the client's id_token_signed_response_alg ${alg}`, async () => {
      const c = (await register({ id_token_signed_response_alg: alg })) as { clientId: string; secret: string };
      const body = await idTokenOf(c.clientId, c.secret);
      expect(decodeProtectedHeader(body.id_token!).alg).toBe(alg);
      const key = alg.startsWith('HS') ? new TextEncoder().encode(c.secret) : jwks;
      const { payload } = await jwtVerify(body.id_token!, key as Parameters<typeof jwtVerify>[1], {
        issuer,
        audience: c.clientId,
      });
      expect(payload.at_hash).toBe(halfHash(alg, body.access_token!));
    });
  }

  it('types ID tokens explicitly for clients that ask', async () => {
    const c = (await register({ id_token_explicit_typ: true })) as { clientId: string; secret: string };
    const body = await idTokenOf(c.clientId, c.secret);
    expect(decodeProtectedHeader(body.id_token!).typ).toBe('id_token+jwt');
    expect(decodeProtectedHeader((await idTokenOf(clientId, secret)).id_token!).typ).toBe('JWT');
  });

  it('encrypts ID tokens to the client: RSA-OAEP-256 to its key, A128KW and dir with its secret', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    const rsa = (await register({
      id_token_encrypted_response_alg: 'RSA-OAEP-256',
      id_token_encrypted_response_enc: 'A256GCM',
      jwks: { keys: [{ ...(await exportJWK(publicKey)), use: 'enc', alg: 'RSA-OAEP-256', kid: 'k1' }] },
    })) as { clientId: string; secret: string };
    const jwe = (await idTokenOf(rsa.clientId, rsa.secret)).id_token!;
    expect(decodeProtectedHeader(jwe)).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'k1', cty: 'JWT' });
    const inner = new TextDecoder().decode((await compactDecrypt(jwe, privateKey)).plaintext);
    expect((await jwtVerify(inner, jwks, { issuer, audience: rsa.clientId })).payload.sub).toBe('alice');

    for (const [alg, enc, bytes] of [
      ['A128KW', 'A128GCM', 16],
      ['dir', 'A128CBC-HS256', 32],
    ] as const) {
      const c = (await register({ id_token_encrypted_response_alg: alg, id_token_encrypted_response_enc: enc })) as {
        clientId: string;
        secret: string;
      };
      const token = (await idTokenOf(c.clientId, c.secret)).id_token!;
      const key = createHash('sha256').update(c.secret).digest().subarray(0, bytes);
      const nested = new TextDecoder().decode((await compactDecrypt(token, key)).plaintext);
      expect((await jwtVerify(nested, jwks, { issuer, audience: c.clientId })).payload.sub).toBe('alice');
    }
  });

  it('answers UserInfo as a signed JWT, and by POST with the token in the body', async () => {
    const c = (await register({ userinfo_signed_response_alg: 'ES256' })) as { clientId: string; secret: string };
    const tokens = await idTokenOf(c.clientId, c.secret);
    const res = await fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(res.headers.get('content-type')).toContain('application/jwt');
    const { payload } = await jwtVerify(await res.text(), jwks, { issuer, audience: c.clientId });
    expect(payload).toMatchObject({ sub: 'alice', email: 'alice@example.com' });
    const post = await fetch(`${issuer}/userinfo`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `access_token=${tokens.access_token}`,
    });
    expect(post.status).toBe(200);
    const both = await fetch(`${issuer}/userinfo`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: `access_token=${tokens.access_token}`,
    });
    expect(both.status).toBe(400);
    const none = await fetch(`${issuer}/userinfo`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('releases claims the claims parameter asks for in the ID token, listed as essential in the consent prompt', async () => {
    const claimsParam = JSON.stringify({ id_token: { name: { essential: true } }, userinfo: { email: null } });
    const { messages, final } = await completeFlow(
      issuer,
      apiToken,
      query('code', { scope: 'openid', claims: claimsParam }),
    );
    expect(messages[1]!.claims).toMatchObject({ new: { essential: ['name'], voluntary: ['email'] } });
    const { body } = await redeem(responseParams(final).code!);
    const { payload } = await jwtVerify(body.id_token!, jwks, { issuer, audience: clientId });
    expect(payload.name).toBe('Alice');
    expect(payload.email).toBeUndefined(); // asked for at UserInfo only
    const userinfo = (await (
      await fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${body.access_token}` } })
    ).json()) as Record<string, unknown>;
    expect(userinfo).toMatchObject({ sub: 'alice', email: 'alice@example.com' });
  });

  it('puts access_token: claims top-level into the access token and keeps them at UserInfo otherwise', async () => {
    const { final } = await completeFlow(issuer, apiToken, query('code', { scope: 'openid email profile' }), {
      consent: { claims: ['email', 'access_token:name'] },
    });
    const { body } = await redeem(responseParams(final).code!);
    const { payload } = await jwtVerify(body.access_token!, jwks, { issuer });
    expect(payload).toMatchObject({ sub: 'alice', name: 'Alice' });
    expect(payload.email).toBeUndefined();
    const userinfo = (await (
      await fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${body.access_token}` } })
    ).json()) as Record<string, unknown>;
    expect(userinfo).toEqual({ sub: 'alice', email: 'alice@example.com' });
  });

  it('keeps messages the session API sends free of PKCE values and tokens', async () => {
    const res = await sessionApi(issuer, apiToken, 'POST', '', { query: query('code') });
    const m: Message = res.body;
    expect(m.type).toBe('auth');
    expect(JSON.stringify(m)).not.toContain(challenge);
  });
});
