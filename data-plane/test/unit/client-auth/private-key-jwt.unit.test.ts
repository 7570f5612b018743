import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { authenticateClient } from '../../../src/client-auth/index.ts';
import { type AssertionOptions, assertionParams, clientAssertion } from '../support/client-assertion.ts';
import { clientAuthInput } from '../support/client-auth-input.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { memoryPlane } from '../support/memory-plane.ts';

// RFC 7523 client assertions signed with a key of the client's registered `jwks`; no secret involved.

async function setup(metadata: Record<string, unknown> = {}) {
  const plane = memoryPlane();
  const tenant = await plane.tenant(EC_KEYS);
  const es = await generateKeyPair('ES256');
  const ed = await generateKeyPair('EdDSA');
  const jwks = {
    keys: [
      { ...(await exportJWK(es.publicKey)), kid: 'es-1', alg: 'ES256', use: 'sig' },
      { ...(await exportJWK(ed.publicKey)), kid: 'ed-1', use: 'sig' },
    ],
  };
  await registerClient(plane, tenant, {
    secret: null,
    metadata: { token_endpoint_auth_method: 'private_key_jwt', jwks, ...metadata },
  });
  const issuer = tenant.tenant.issuer;
  const assertion = (over: Partial<AssertionOptions> = {}) =>
    clientAssertion(plane, {
      alg: 'ES256',
      key: es.privateKey,
      kid: 'es-1',
      clientId: 'app',
      audience: issuer,
      ...over,
    });
  const auth = (jwt: string, more: Record<string, string> = {}) =>
    authenticateClient(clientAuthInput(plane, tenant, { params: assertionParams(jwt, more) }));
  return { plane, tenant, issuer, ed, assertion, auth };
}

const refused = (description: string | RegExp) => ({ statusCode: 401, code: 'invalid_client', message: description });

describe('private_key_jwt', () => {
  it('accepts an assertion signed with a registered key, whichever of its keys and algorithms', async () => {
    const { issuer, ed, assertion, auth } = await setup();
    await expect(auth(await assertion())).resolves.toMatchObject({ clientId: 'app', secret: null });
    await expect(
      auth(await assertion({ alg: 'EdDSA', key: ed.privateKey, kid: 'ed-1', audience: `${issuer}/token` })),
    ).resolves.toMatchObject({ clientId: 'app' });
  });

  it('refuses an assertion signed with a key the client did not register, with invalid_client and no challenge', async () => {
    const { assertion, auth } = await setup();
    const stranger = await generateKeyPair('ES256');
    const err = await auth(await assertion({ key: stranger.privateKey })).catch(
      (e: { headers: Record<string, string> }) => e,
    );
    expect(err).toMatchObject(refused('The client assertion is invalid, expired, or not for this server'));
    expect((err as { headers: Record<string, string> }).headers['www-authenticate']).toBeUndefined();
    await expect(auth(await assertion({ audience: 'https://rp.example' }))).rejects.toMatchObject(
      refused('The client assertion is invalid, expired, or not for this server'),
    );
  });

  it('refuses an HMAC assertion: a private_key_jwt client has no secret to sign with', async () => {
    const { assertion, auth } = await setup();
    const hmac = await assertion({
      alg: 'HS256',
      key: new TextEncoder().encode('guessed-secret-guessed-secret-32b'),
      kid: undefined,
    });
    await expect(auth(hmac)).rejects.toMatchObject(refused(/^The client assertion must be signed with one of /));
  });

  it('takes only the algorithm the client registered', async () => {
    const { ed, assertion, auth } = await setup({ token_endpoint_auth_signing_alg: 'ES256' });
    await expect(auth(await assertion({ alg: 'EdDSA', key: ed.privateKey, kid: 'ed-1' }))).rejects.toMatchObject(
      refused('The client registered ES256 for its assertions'),
    );
    await expect(auth(await assertion())).resolves.toMatchObject({ clientId: 'app' });
  });

  it('accepts an assertion once, and caps its lifetime', async () => {
    const { assertion, auth } = await setup();
    const jwt = await assertion();
    await expect(auth(jwt)).resolves.toMatchObject({ clientId: 'app' });
    await expect(auth(jwt)).rejects.toMatchObject(refused('The client assertion was already used'));
    await expect(auth(await assertion({ lifetime: 600, claims: { iat: undefined } }))).rejects.toMatchObject(
      refused('The client assertion must expire within 300 s'),
    );
  });

  it('refuses an expired assertion by the clock', async () => {
    const { plane, assertion, auth } = await setup();
    const jwt = await assertion({ lifetime: 30 });
    plane.clock.advanceSeconds(61);
    await expect(auth(jwt)).rejects.toMatchObject(
      refused('The client assertion is invalid, expired, or not for this server'),
    );
  });

  it('refuses an assertion of a client registered for another method, and from a client without keys', async () => {
    const { plane, tenant, assertion, auth } = await setup();
    await registerClient(plane, tenant, { clientId: 'basic' });
    await expect(auth(await assertion({ clientId: 'basic' }))).rejects.toMatchObject(
      refused(
        'Client authentication failed: the client is registered for token_endpoint_auth_method client_secret_basic, but the request used a client assertion (client_secret_jwt or private_key_jwt)',
      ),
    );
    await registerClient(plane, tenant, {
      clientId: 'keyless',
      secret: null,
      metadata: { token_endpoint_auth_method: 'private_key_jwt' },
    });
    await expect(auth(await assertion({ clientId: 'keyless' }))).rejects.toMatchObject(
      refused('The client has no registered keys'),
    );
  });
});
