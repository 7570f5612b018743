import { describe, expect, it } from 'vitest';
import { authenticateClient } from '../../../src/client-auth/index.ts';
import { basicAuthorization, clientAuthInput } from '../support/client-auth-input.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { memoryPlane } from '../support/memory-plane.ts';

// RFC 6749 §2.3.1 in the body: no Basic challenge on its refusals (the client did not use Basic).

async function setup(
  metadata: Record<string, unknown> = { token_endpoint_auth_method: 'client_secret_post' },
  secretLifetimeMs?: number,
) {
  const plane = memoryPlane();
  const tenant = await plane.tenant(EC_KEYS);
  const secretExpiresAt = secretLifetimeMs === undefined ? null : new Date(plane.clock.now() + secretLifetimeMs);
  await registerClient(plane, tenant, { secret: 'form-secret', metadata, secretExpiresAt });
  const post = (params: Record<string, string>, headers: Record<string, string> = {}) =>
    authenticateClient(clientAuthInput(plane, tenant, { params, headers }));
  return { plane, tenant, post };
}

const noChallenge = (err: { headers: Record<string, string> }) =>
  expect(err.headers['www-authenticate']).toBeUndefined();

describe('client_secret_post', () => {
  it('accepts the registered secret in the form', async () => {
    const { tenant, post } = await setup();
    await expect(post({ client_id: 'app', client_secret: 'form-secret' })).resolves.toMatchObject({
      clientId: 'app',
      tid: tenant.tenant.tid,
    });
  });

  it('refuses a wrong secret, an unknown client, or no client_id with invalid_client and no challenge', async () => {
    const { post } = await setup();
    const cases: Record<string, string>[] = [
      { client_id: 'app', client_secret: 'wrong' },
      { client_id: 'ghost', client_secret: 'form-secret' },
      { client_secret: 'form-secret' },
    ];
    for (const params of cases) {
      const err = await post(params).catch((e: { headers: Record<string, string> }) => e);
      expect(err, JSON.stringify(params)).toMatchObject({ statusCode: 401, code: 'invalid_client' });
      noChallenge(err as { headers: Record<string, string> });
    }
  });

  it('refuses a client registered for another method, saying so whether or not the secret is right, without a challenge', async () => {
    const { post } = await setup({});
    const mismatch =
      'Client authentication failed: the client is registered for token_endpoint_auth_method client_secret_basic, but the request used client_secret_post (client_secret in the form body)';
    for (const secret of ['form-secret', 'wrong']) {
      const err = await post({ client_id: 'app', client_secret: secret }).catch(
        (e: { headers: Record<string, string> }) => e,
      );
      expect(err).toMatchObject({ statusCode: 401, code: 'invalid_client', message: mismatch });
      noChallenge(err as { headers: Record<string, string> });
    }
    // Where the method is the registered one, a wrong secret is told nothing more.
    const { post: registered } = await setup();
    await expect(registered({ client_id: 'app', client_secret: 'wrong' })).rejects.toMatchObject({
      message: 'Client authentication failed',
    });
  });

  it('refuses a request that also sends Basic credentials: one method per request', async () => {
    const { post } = await setup();
    await expect(
      post(
        { client_id: 'app', client_secret: 'form-secret' },
        { authorization: basicAuthorization('app', 'form-secret') },
      ),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'invalid_request',
      message: 'The request uses more than one client authentication method',
    });
  });

  it('refuses a secret once it expires by the clock', async () => {
    const { plane, post } = await setup({ token_endpoint_auth_method: 'client_secret_post' }, 3_600_000);
    plane.clock.advanceSeconds(3599);
    await expect(post({ client_id: 'app', client_secret: 'form-secret' })).resolves.toMatchObject({ clientId: 'app' });
    plane.clock.advanceSeconds(1);
    await expect(post({ client_id: 'app', client_secret: 'form-secret' })).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });
});
