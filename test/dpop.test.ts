import { randomUUID } from 'node:crypto';
import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import { type CryptoKey, calculateJwkThumbprint, decodeJwt, exportJWK, type JWK, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeFlow } from './support/authz-session.ts';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const REDIRECT = 'http://localhost:3000/callback';

type KeyPair = Awaited<ReturnType<typeof oidc.randomDPoPKeyPair>>;

interface Seen {
  url: string;
  dpop: string | null;
  status: number;
  error?: string;
}

/** A DPoP proof made by hand (for replays and proofs aimed at the wrong place). */
async function proof(key: KeyPair, htm: string, htu: string, claims: Record<string, unknown> = {}) {
  const jwk = await exportJWK(key.publicKey);
  return new SignJWT({ jti: randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000), ...claims })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
    .sign(key.privateKey as CryptoKey);
}

const thumbprint = async (key: KeyPair) => calculateJwkThumbprint((await exportJWK(key.publicKey)) as JWK);

/**
 * DPoP (RFC 9449) through openid-client v6 against a listening data plane:
 * tenant A requires server nonces (openid-client retries on use_dpop_nonce by
 * itself), tenant B does not. Every request openid-client makes is recorded
 * (customFetch), so a test can replay the proof it sent.
 */
describe('DPoP through openid-client v6', () => {
  let planes: InProcessPlanes;
  let issuerA: string;
  let issuerB: string;
  let apiTokenA: string;
  let publicA: oidc.Configuration;
  let serviceA: oidc.Configuration;
  let serviceB: { clientId: string; secret: string };
  const seen: Seen[] = [];

  const recording = (config: oidc.Configuration) => {
    config[oidc.customFetch] = async (url, options) => {
      const res = await fetch(url, options as RequestInit);
      const entry: Seen = {
        url,
        dpop: new Headers(options.headers as Record<string, string>).get('dpop'),
        status: res.status,
      };
      if (res.status >= 400 && res.headers.get('content-type')?.includes('json'))
        entry.error = ((await res.clone().json()) as { error?: string }).error;
      seen.push(entry);
      return res;
    };
    return config;
  };

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    const tidA = uniqueTid('dpop-a');
    const tidB = uniqueTid('dpop-b');
    issuerA = `${planes.dataPlaneUrl}/${tidA}`;
    issuerB = `${planes.dataPlaneUrl}/${tidB}`;
    ({ apiToken: apiTokenA } = await planes.createTenant({
      tid: tidA,
      name: tidA,
      issuer: issuerA,
      config: { dpop: { requireNonce: true } },
    }));
    await planes.createTenant({ tid: tidB, name: tidB, issuer: issuerB });
    await new PostgresUserDirectory(planes.s.db).create(tidA, {
      username: 'alice',
      sub: 'alice',
      password: 'wonderland-42',
      claims: { name: 'Alice Adams' },
    });
    const spa = await addClient(
      planes.s,
      tidA,
      {
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'none',
        dpop_bound_access_tokens: true,
      },
      { secret: null },
    );
    const service = await addClient(planes.s, tidA, { grant_types: ['client_credentials'], scope: 'read' });
    const other = await addClient(planes.s, tidB, { grant_types: ['client_credentials'], scope: 'read' });
    serviceB = { clientId: other.clientId, secret: other.secret! };
    const insecure = { execute: [oidc.allowInsecureRequests] };
    publicA = recording(await oidc.discovery(new URL(issuerA), spa.clientId, undefined, oidc.None(), insecure));
    serviceA = recording(
      await oidc.discovery(
        new URL(issuerA),
        service.clientId,
        undefined,
        oidc.ClientSecretBasic(service.secret!),
        insecure,
      ),
    );
  }, 60_000);
  afterAll(async () => planes.close());

  async function signIn(dpopJkt?: string) {
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(publicA, {
      redirect_uri: REDIRECT,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...(dpopJkt ? { dpop_jkt: dpopJkt } : {}),
    });
    const { final } = await completeFlow(issuerA, apiTokenA, url.search.slice(1), { consent: { long_lived: true } });
    return { callback: new URL(final.parameters!.uri), verifier };
  }

  it('advertises the DPoP algorithms', () => {
    expect(publicA.serverMetadata().dpop_signing_alg_values_supported).toEqual([
      'RS256',
      'RS384',
      'RS512',
      'PS256',
      'PS384',
      'PS512',
      'ES256',
      'ES384',
      'ES512',
      'EdDSA',
    ]);
  });

  it('runs a DPoP-bound code flow with refresh: bound tokens, UserInfo only with a fresh proof of the key', async () => {
    const key = await oidc.randomDPoPKeyPair('ES256');
    const DPoP = oidc.getDPoPHandle(publicA, key);
    const jkt = await thumbprint(key);
    const { callback, verifier } = await signIn(jkt);
    seen.length = 0;
    const tokens = await oidc.authorizationCodeGrant(publicA, callback, { pkceCodeVerifier: verifier }, undefined, {
      DPoP,
    });
    // The tenant requires nonces: the first proof had none, openid-client retried with the DPoP-Nonce it was given.
    expect(seen.map((s) => [s.status, s.error])).toEqual([
      [400, 'use_dpop_nonce'],
      [200, undefined],
    ]);
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt });

    seen.length = 0;
    const userinfo = await oidc.fetchUserInfo(publicA, tokens.access_token, 'alice', { DPoP });
    expect(userinfo).toMatchObject({ sub: 'alice', name: 'Alice Adams' });
    const sent = seen.find((s) => s.status === 200 && s.url === `${issuerA}/userinfo`)!;
    expect(sent.dpop).toEqual(expect.any(String));

    // The proof UserInfo accepted, sent again: refused.
    const replay = await fetch(`${issuerA}/userinfo`, {
      headers: { authorization: `DPoP ${tokens.access_token}`, dpop: sent.dpop! },
    });
    expect(replay.status).toBe(401);
    expect(replay.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/);
    // The bound token as a bearer token: refused.
    const bearer = await fetch(`${issuerA}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(bearer.status).toBe(401);
    expect(bearer.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token".* algs="RS256 .*EdDSA"$/);
    // A fresh proof of the key without the nonce this tenant requires: refused, with a nonce to use.
    const ath = Buffer.from(await crypto.subtle.digest('SHA-256', Buffer.from(tokens.access_token))).toString(
      'base64url',
    );
    const noNonce = await fetch(`${issuerA}/userinfo`, {
      headers: {
        authorization: `DPoP ${tokens.access_token}`,
        dpop: await proof(key, 'GET', `${issuerA}/userinfo`, { ath }),
      },
    });
    expect(noNonce.status).toBe(401);
    expect(noNonce.headers.get('www-authenticate')).toMatch(/^DPoP error="use_dpop_nonce"/);
    const nonce = noNonce.headers.get('dpop-nonce')!;
    const withNonce = await fetch(`${issuerA}/userinfo`, {
      headers: {
        authorization: `DPoP ${tokens.access_token}`,
        dpop: await proof(key, 'GET', `${issuerA}/userinfo`, { ath, nonce }),
      },
    });
    expect(withNonce.status).toBe(200);
    // Another key's fresh proof: refused.
    const otherKey = await oidc.randomDPoPKeyPair('ES256');
    const stolen = await fetch(`${issuerA}/userinfo`, {
      headers: {
        authorization: `DPoP ${tokens.access_token}`,
        dpop: await proof(otherKey, 'GET', `${issuerA}/userinfo`, { ath, nonce }),
      },
    });
    expect(stolen.status).toBe(401);

    // The public client's refresh token is bound to the key: refreshed with a proof of it, refused without or with another.
    expect(tokens.refresh_token).toBeDefined();
    await expect(
      oidc.refreshTokenGrant(publicA, tokens.refresh_token!, undefined, {
        DPoP: oidc.getDPoPHandle(publicA, otherKey),
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    const refreshed = await oidc.refreshTokenGrant(publicA, tokens.refresh_token!, undefined, { DPoP });
    expect(refreshed.token_type.toLowerCase()).toBe('dpop');
    expect(decodeJwt(refreshed.access_token).cnf).toEqual({ jkt });
    await expect(oidc.fetchUserInfo(publicA, refreshed.access_token, 'alice', { DPoP })).resolves.toMatchObject({
      sub: 'alice',
    });
  });

  it('binds the code to dpop_jkt: another key cannot redeem it, and a client registered for DPoP must send a proof', async () => {
    const key = await oidc.randomDPoPKeyPair('ES256');
    const bound = await signIn(await thumbprint(key));
    const otherKey = await oidc.randomDPoPKeyPair('ES256');
    await expect(
      oidc.authorizationCodeGrant(publicA, bound.callback, { pkceCodeVerifier: bound.verifier }, undefined, {
        DPoP: oidc.getDPoPHandle(publicA, otherKey),
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    const unproved = await signIn();
    await expect(
      oidc.authorizationCodeGrant(publicA, unproved.callback, { pkceCodeVerifier: unproved.verifier }),
    ).rejects.toMatchObject({ error: 'invalid_request' });
  });

  it('binds client credentials tokens to the proof; introspection shows cnf.jkt and token_type DPoP', async () => {
    const key = await oidc.randomDPoPKeyPair('ES256');
    const tokens = await oidc.clientCredentialsGrant(
      serviceA,
      { scope: 'read' },
      {
        DPoP: oidc.getDPoPHandle(serviceA, key),
      },
    );
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    const jkt = await thumbprint(key);
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt });
    const introspected = await oidc.tokenIntrospection(serviceA, tokens.access_token);
    expect(introspected).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });
  });

  it("refuses tenant A's proof and tenant A's bound token at tenant B", async () => {
    const key = await oidc.randomDPoPKeyPair('ES256');
    const basic = `Basic ${Buffer.from(`${serviceB.clientId}:${serviceB.secret}`).toString('base64')}`;
    const atB = await fetch(`${issuerB}/token`, {
      method: 'POST',
      headers: {
        authorization: basic,
        'content-type': 'application/x-www-form-urlencoded',
        dpop: await proof(key, 'POST', `${issuerA}/token`),
      },
      body: 'grant_type=client_credentials&scope=read',
    });
    expect(atB.status).toBe(400);
    expect(await atB.json()).toEqual({
      error: 'invalid_dpop_proof',
      error_description: `The DPoP proof htu is not ${issuerB}/token`,
    });

    const DPoP = oidc.getDPoPHandle(serviceA, key);
    const tokens = await oidc.clientCredentialsGrant(serviceA, { scope: 'read' }, { DPoP });
    const ath = Buffer.from(await crypto.subtle.digest('SHA-256', Buffer.from(tokens.access_token))).toString(
      'base64url',
    );
    const userinfoB = await fetch(`${issuerB}/userinfo`, {
      headers: {
        authorization: `DPoP ${tokens.access_token}`,
        dpop: await proof(key, 'GET', `${issuerB}/userinfo`, { ath }),
      },
    });
    expect(userinfoB.status).toBe(401);
    expect(userinfoB.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);
  });
});
