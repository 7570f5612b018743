import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

/**
 * openid-client v6 (certified, not ours) against a listening data plane:
 * client_credentials with each secret / assertion method, and the JWT
 * access token verified against the tenant's /jwks.json.
 */
describe('client_credentials through openid-client v6', () => {
  let planes: InProcessPlanes;
  let issuer: string;
  let tid: string;

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    tid = uniqueTid('oc');
    issuer = `${planes.dataPlaneUrl}/${tid}`;
    await planes.createTenant({ tid, name: tid, issuer, config: { keys: { accessTokenSigningAlgorithm: 'EdDSA' } } });
  }, 60_000);
  afterAll(async () => planes.close());

  const discover = (clientId: string, auth: oidc.ClientAuth) =>
    oidc.discovery(new URL(issuer), clientId, undefined, auth, { execute: [oidc.allowInsecureRequests] });

  type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  const methods: Array<[string, (secret: string, key: PrivateKey) => oidc.ClientAuth]> = [
    ['client_secret_basic', (secret) => oidc.ClientSecretBasic(secret)],
    ['client_secret_post', (secret) => oidc.ClientSecretPost(secret)],
    ['client_secret_jwt', (secret) => oidc.ClientSecretJwt(secret)],
    ['private_key_jwt', (_secret, key) => oidc.PrivateKeyJwt(key)],
  ];

  for (const [method, auth] of methods) {
    it(`issues a verifiable JWT access token to a ${method} client`, async () => {
      const { privateKey, publicKey } = await generateKeyPair('ES256');
      const jwk = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig' };
      const { clientId, secret } = await addClient(
        planes.s,
        tid,
        {
          token_endpoint_auth_method: method,
          grant_types: ['client_credentials'],
          scope: 'read write',
          ...(method === 'private_key_jwt' ? { jwks: { keys: [jwk] } } : {}),
        },
        { secret: method === 'private_key_jwt' ? null : undefined },
      );
      const config = await discover(clientId, auth(secret ?? '', privateKey));
      const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read' });
      expect(tokens.token_type).toBe('bearer');
      expect(tokens.expires_in).toBe(600);
      expect(tokens.scope).toBe('read');
      expect(tokens.refresh_token).toBeUndefined();

      const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
      const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, { issuer, typ: 'at+jwt' });
      expect(protectedHeader.alg).toBe('EdDSA');
      expect(payload).toMatchObject({ iss: issuer, sub: clientId, cid: clientId, scp: ['read'] });
      expect(typeof payload.jti).toBe('string');
      expect(payload.exp! - payload.iat!).toBe(600);

      const introspection = await oidc.tokenIntrospection(config, tokens.access_token);
      expect(introspection).toMatchObject({
        active: true,
        client_id: clientId,
        sub: clientId,
        scope: 'read',
        iss: issuer,
      });
    });
  }

  it('answers invalid_client with 401 for a wrong secret, and a replayed assertion', async () => {
    const { clientId } = await addClient(planes.s, tid, {
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
    });
    const config = await discover(clientId, oidc.ClientSecretBasic('not-the-secret'));
    // openid-client surfaces the 401 challenge (WWW-Authenticate: Basic) as a WWWAuthenticateChallengeError
    const error = (await oidc
      .clientCredentialsGrant(config)
      .catch((err: unknown) => err)) as oidc.WWWAuthenticateChallengeError;
    expect(error).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
    expect(error.status).toBe(401);
    expect(error.response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const raw = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:wrong`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toMatchObject({ error: 'invalid_client' });

    const jwtClient = await addClient(planes.s, tid, {
      token_endpoint_auth_method: 'client_secret_jwt',
      grant_types: ['client_credentials'],
    });
    const now = Math.floor(Date.now() / 1000);
    const { SignJWT } = await import('jose');
    const assertion = await new SignJWT({ jti: 'one-time' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(jwtClient.clientId)
      .setSubject(jwtClient.clientId)
      .setAudience(issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode(jwtClient.secret!));
    const post = () =>
      fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        }),
      });
    expect((await post()).status).toBe(200);
    const replay = await post();
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: string }).error).toBe('invalid_client');
  });

  // RFC 6749 §5.2: the Basic challenge answers Basic only; with it for other methods openid-client saw a challenge, not invalid_client.
  it('answers wrong credentials of every method with 401 invalid_client that openid-client reports, with a Basic challenge only for Basic', async () => {
    const { privateKey: strangerKey } = await generateKeyPair('ES256');
    const registered = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(registered.publicKey)), alg: 'ES256', use: 'sig' };
    const wrong: Array<[string, () => oidc.ClientAuth]> = [
      ['client_secret_post', () => oidc.ClientSecretPost('not-the-secret')],
      ['client_secret_jwt', () => oidc.ClientSecretJwt('not-the-secret-but-long-enough-for-hs256')],
      ['private_key_jwt', () => oidc.PrivateKeyJwt(strangerKey)],
      // a confidential client presenting its id alone (public-client style)
      ['client_secret_basic', () => oidc.None()],
    ];
    for (const [method, auth] of wrong) {
      const { clientId } = await addClient(
        planes.s,
        tid,
        {
          token_endpoint_auth_method: method,
          grant_types: ['client_credentials'],
          ...(method === 'private_key_jwt' ? { jwks: { keys: [jwk] } } : {}),
        },
        { secret: method === 'private_key_jwt' ? null : undefined },
      );
      const error = await oidc.clientCredentialsGrant(await discover(clientId, auth())).catch((err: unknown) => err);
      expect(error, method).toBeInstanceOf(oidc.ResponseBodyError);
      expect((error as oidc.ResponseBodyError).error, method).toBe('invalid_client');
      expect((error as oidc.ResponseBodyError).status, method).toBe(401);
      expect((error as oidc.ResponseBodyError).response.headers.get('www-authenticate'), method).toBeNull();
    }
    const unknown = await oidc
      .clientCredentialsGrant(await discover('nobody', oidc.None()))
      .catch((err: unknown) => err);
    expect((unknown as oidc.ResponseBodyError).error).toBe('invalid_client');

    // Basic: the challenge RFC 6749 §5.2 requires, and the error object in the body behind it.
    const { clientId } = await addClient(planes.s, tid, {
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
    });
    const challenged = (await oidc
      .clientCredentialsGrant(await discover(clientId, oidc.ClientSecretBasic('nope')))
      .catch((err: unknown) => err)) as oidc.WWWAuthenticateChallengeError;
    expect(challenged).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
    expect(challenged.cause[0]).toMatchObject({ scheme: 'basic', parameters: { realm: issuer } });
    expect(await challenged.response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses client_secret_basic with a body client_id naming another client (invalid_request)', async () => {
    const a = await addClient(planes.s, tid, { grant_types: ['client_credentials'] });
    const b = await addClient(planes.s, tid, { grant_types: ['client_credentials'] });
    const token = (clientId: string) =>
      fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${a.clientId}:${a.secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId }),
      });
    const conflicting = await token(b.clientId);
    expect(conflicting.status).toBe(400);
    expect(await conflicting.json()).toMatchObject({ error: 'invalid_request' });
    expect((await token(a.clientId)).status).toBe(200);
  });

  it('advertises the token endpoint, its auth methods and only the enabled, implemented grants', async () => {
    const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(metadata.token_endpoint).toBe(`${issuer}/token`);
    expect(metadata.introspection_endpoint).toBe(`${issuer}/token/introspect`);
    expect(metadata.revocation_endpoint).toBe(`${issuer}/token/revoke`);
    expect(metadata.token_endpoint_auth_methods_supported).toEqual([
      'client_secret_basic',
      'client_secret_post',
      'client_secret_jwt',
      'private_key_jwt',
      'none',
    ]);
    // the default grants; password (handled by the user directory) is not enabled for this tenant
    expect(metadata.grant_types_supported).toEqual(['authorization_code', 'client_credentials', 'refresh_token']);
  });
});
