import { describe, expect, it } from 'vitest';
import { authenticateClient } from '../../../src/client-auth/index.ts';
import { clientAuthInput } from '../support/client-auth-input.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { memoryPlane } from '../support/memory-plane.ts';

// Public clients (token_endpoint_auth_method "none"): a client_id, nothing to verify, and only for clients that registered it.

async function setup() {
  const plane = memoryPlane();
  const tenant = await plane.tenant(EC_KEYS);
  await registerClient(plane, tenant, {
    clientId: 'spa',
    secret: null,
    metadata: { token_endpoint_auth_method: 'none' },
  });
  await registerClient(plane, tenant, { clientId: 'web', secret: 'web-secret' });
  const auth = (params: Record<string, string>) => authenticateClient(clientAuthInput(plane, tenant, { params }));
  return { plane, tenant, auth };
}

describe('none (public clients)', () => {
  it('accepts a public client by its client_id alone', async () => {
    const { auth } = await setup();
    await expect(auth({ client_id: 'spa' })).resolves.toMatchObject({ clientId: 'spa', secret: null });
  });

  it('refuses a confidential client that sends only its client_id, and an unknown client, without a challenge', async () => {
    const { auth } = await setup();
    for (const clientId of ['web', 'ghost']) {
      const err = await auth({ client_id: clientId }).catch((e: { headers: Record<string, string> }) => e);
      expect(err).toMatchObject({ statusCode: 401, code: 'invalid_client' });
      expect((err as { headers: Record<string, string> }).headers['www-authenticate']).toBeUndefined();
    }
  });

  it('refuses a public client that presents a secret: that is another method than it registered', async () => {
    const { auth } = await setup();
    await expect(auth({ client_id: 'spa', client_secret: 'anything' })).rejects.toMatchObject({
      statusCode: 401,
      code: 'invalid_client',
    });
  });

  it('asks for authentication, with the Basic challenge, when a request carries no credentials at all', async () => {
    const { tenant, auth } = await setup();
    await expect(auth({})).rejects.toMatchObject({
      statusCode: 401,
      code: 'invalid_client',
      message: 'Client authentication is required',
      headers: { 'www-authenticate': `Basic realm="${tenant.tenant.issuer}"` },
    });
  });
});
