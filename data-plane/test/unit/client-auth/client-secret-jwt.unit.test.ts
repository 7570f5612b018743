import { describe, expect, it } from 'vitest';
import { authenticateClient } from '../../../src/client-auth/index.ts';
import { type AssertionOptions, assertionParams, clientAssertion } from '../support/client-assertion.ts';
import { clientAuthInput } from '../support/client-auth-input.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { memoryPlane } from '../support/memory-plane.ts';

// RFC 7523 client assertions HMAC-signed with the client secret; time, the replay cache and the secret's expiry all by the plane's clock.

const SECRET = 'a-client-secret-of-thirty-two-bytes!';

async function setup(metadata: Record<string, unknown> = {}, secretLifetimeMs?: number) {
  const plane = memoryPlane();
  const tenant = await plane.tenant(EC_KEYS);
  const secretExpiresAt = secretLifetimeMs === undefined ? null : new Date(plane.clock.now() + secretLifetimeMs);
  await registerClient(plane, tenant, {
    secret: SECRET,
    secretExpiresAt,
    metadata: { token_endpoint_auth_method: 'client_secret_jwt', ...metadata },
  });
  const issuer = tenant.tenant.issuer;
  const assertion = (over: Partial<AssertionOptions> = {}) =>
    clientAssertion(plane, {
      alg: 'HS256',
      key: new TextEncoder().encode(SECRET),
      clientId: 'app',
      audience: `${issuer}/token`,
      ...over,
    });
  const auth = (jwt: string, more: Record<string, string> = {}) =>
    authenticateClient(clientAuthInput(plane, tenant, { params: assertionParams(jwt, more) }));
  return { plane, tenant, issuer, assertion, auth };
}

const refused = (description: string | RegExp) => ({ statusCode: 401, code: 'invalid_client', message: description });

describe('client_secret_jwt', () => {
  it('accepts an assertion signed with the secret, for the issuer or the token endpoint, with the HMAC algorithms', async () => {
    const { issuer, assertion, auth } = await setup();
    await expect(auth(await assertion())).resolves.toMatchObject({ clientId: 'app' });
    await expect(auth(await assertion({ audience: issuer }))).resolves.toMatchObject({ clientId: 'app' });
    await expect(auth(await assertion({ alg: 'HS512' }))).resolves.toMatchObject({ clientId: 'app' });
    await expect(auth(await assertion(), { client_id: 'app' })).resolves.toMatchObject({ clientId: 'app' });
  });

  it('refuses a wrong key, another audience, another issuer or subject, with invalid_client and no challenge', async () => {
    const { assertion, auth } = await setup();
    const cases = [
      await assertion({ key: new TextEncoder().encode('another-secret-of-thirty-two-bytes!!') }),
      await assertion({ audience: 'https://other.example/token' }),
      await assertion({ claims: { iss: 'someone-else' } }),
    ];
    for (const jwt of cases) {
      const err = await auth(jwt).catch((e: { headers: Record<string, string> }) => e);
      expect(err).toMatchObject(refused('The client assertion is invalid, expired, or not for this server'));
      expect((err as { headers: Record<string, string> }).headers['www-authenticate']).toBeUndefined();
    }
    // The subject names the client: another one is another (unknown) client.
    await expect(auth(await assertion({ claims: { sub: 'ghost' } }))).rejects.toMatchObject(
      refused('Client authentication failed'),
    );
    await expect(auth(await assertion(), { client_id: 'other' })).rejects.toMatchObject(
      refused('client_id does not match the assertion'),
    );
  });

  it('accepts an assertion once: its jti is remembered (per client)', async () => {
    const { plane, tenant, assertion, auth } = await setup();
    const jwt = await assertion({ claims: { jti: 'same-jti' } });
    await expect(auth(jwt)).resolves.toMatchObject({ clientId: 'app' });
    await expect(auth(jwt)).rejects.toMatchObject(refused('The client assertion was already used'));
    // Another client may pick the same jti.
    await registerClient(plane, tenant, {
      clientId: 'app2',
      secret: SECRET,
      metadata: { token_endpoint_auth_method: 'client_secret_jwt' },
    });
    await expect(auth(await assertion({ clientId: 'app2', claims: { jti: 'same-jti' } }))).resolves.toMatchObject({
      clientId: 'app2',
    });
    await expect(auth(await assertion({ claims: { jti: undefined } }))).rejects.toMatchObject(
      refused('The client assertion must have a jti claim (it is accepted once)'),
    );
  });

  it('caps the lifetime of an assertion at 300 s, from now and from its iat', async () => {
    const { plane, assertion, auth } = await setup();
    const now = Math.floor(plane.clock.now() / 1000);
    await expect(auth(await assertion({ lifetime: 300 }))).resolves.toMatchObject({ clientId: 'app' });
    await expect(auth(await assertion({ lifetime: 331, claims: { iat: undefined } }))).rejects.toMatchObject(
      refused('The client assertion must expire within 300 s'),
    );
    await expect(auth(await assertion({ claims: { iat: now - 10, exp: now + 291 } }))).rejects.toMatchObject(
      refused('The client assertion must expire within 300 s of its iat'),
    );
    await expect(auth(await assertion({ claims: { exp: undefined } }))).rejects.toMatchObject(
      refused('The client assertion must have an exp claim'),
    );
  });

  it('refuses an expired assertion by the clock, past the 30 s skew', async () => {
    const { plane, assertion, auth } = await setup();
    const early = await assertion({ lifetime: 60 });
    const late = await assertion({ lifetime: 60 });
    plane.clock.advanceSeconds(89);
    await expect(auth(early)).resolves.toMatchObject({ clientId: 'app' });
    plane.clock.advanceSeconds(2);
    await expect(auth(late)).rejects.toMatchObject(
      refused('The client assertion is invalid, expired, or not for this server'),
    );
  });

  it('refuses an assertion made with the secret once the secret expires by the clock', async () => {
    const { plane, assertion, auth } = await setup({}, 120_000);
    await expect(auth(await assertion())).resolves.toMatchObject({ clientId: 'app' });
    plane.clock.advanceSeconds(120);
    await expect(auth(await assertion())).rejects.toMatchObject(
      refused('The client assertion is invalid, expired, or not for this server'),
    );
  });

  it('takes only the HMAC algorithms, and the one the client registered', async () => {
    const { assertion, auth } = await setup({ token_endpoint_auth_signing_alg: 'HS512' });
    await expect(auth(await assertion({ alg: 'HS256' }))).rejects.toMatchObject(
      refused('The client registered HS512 for its assertions'),
    );
    await expect(auth(await assertion({ alg: 'HS512' }))).resolves.toMatchObject({ clientId: 'app' });
    const { privateKey } = await (await import('jose')).generateKeyPair('ES256');
    await expect(auth(await assertion({ alg: 'ES256', key: privateKey }))).rejects.toMatchObject(
      refused(/^The client assertion must be signed with one of HS256/),
    );
  });

  it('refuses an assertion from a client that registered another method, and a wrong assertion type', async () => {
    const { plane, tenant, assertion, auth } = await setup();
    await registerClient(plane, tenant, { clientId: 'basic', secret: SECRET });
    await expect(auth(await assertion({ clientId: 'basic' }))).rejects.toMatchObject(
      refused(
        'Client authentication failed: the client is registered for token_endpoint_auth_method client_secret_basic, but the request used a client assertion (client_secret_jwt or private_key_jwt)',
      ),
    );
    await expect(auth(await assertion(), { client_assertion_type: 'urn:example:saml' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'invalid_request',
    });
    await expect(auth('not-a-jwt')).rejects.toMatchObject({ code: 'invalid_client' });
  });
});
