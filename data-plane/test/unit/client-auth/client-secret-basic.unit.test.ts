import { SECRET_ROLLOVER_MS } from '@tessera/shared/clients/client-store';
import { describe, expect, it } from 'vitest';
import { authenticateClient } from '../../../src/client-auth/index.ts';
import { basicAuthorization, clientAuthInput } from '../support/client-auth-input.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { memoryPlane } from '../support/memory-plane.ts';

// RFC 6749 §2.3.1 HTTP Basic: the method's own refusals carry the Basic challenge (RFC 6749 §5.2), the realm being the issuer.

async function setup() {
  const plane = memoryPlane();
  const tenant = await plane.tenant(EC_KEYS);
  const basic = (id: string, secret: string, params: Record<string, string> = {}) =>
    authenticateClient(
      clientAuthInput(plane, tenant, { headers: { authorization: basicAuthorization(id, secret) }, params }),
    );
  const challenge = `Basic realm="${tenant.tenant.issuer}"`;
  return { plane, tenant, basic, challenge };
}

describe('client_secret_basic', () => {
  it('accepts the registered secret, with id and secret form-urlencoded', async () => {
    const { plane, tenant, basic } = await setup();
    await registerClient(plane, tenant, { clientId: 'app', secret: 'plain-secret' });
    await registerClient(plane, tenant, { clientId: 'odd id:1', secret: 'p@ss wörd+%' });
    await expect(basic('app', 'plain-secret')).resolves.toMatchObject({ clientId: 'app', tid: tenant.tenant.tid });
    await expect(basic('odd id:1', 'p@ss wörd+%')).resolves.toMatchObject({ clientId: 'odd id:1' });
    // The same client_id repeated in the body is allowed.
    await expect(basic('app', 'plain-secret', { client_id: 'app' })).resolves.toMatchObject({ clientId: 'app' });
  });

  it('refuses a wrong secret or an unknown client with invalid_client and the Basic challenge', async () => {
    const { plane, tenant, basic, challenge } = await setup();
    await registerClient(plane, tenant, { secret: 'plain-secret' });
    for (const attempt of [basic('app', 'plain-secreT'), basic('app', ''), basic('ghost', 'plain-secret')]) {
      await expect(attempt).rejects.toMatchObject({
        statusCode: 401,
        code: 'invalid_client',
        headers: { 'www-authenticate': challenge, 'cache-control': 'no-store' },
      });
    }
    const malformed = authenticateClient(
      clientAuthInput(plane, tenant, {
        headers: { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` },
      }),
    );
    await expect(malformed).rejects.toMatchObject({
      statusCode: 401,
      code: 'invalid_client',
      message: 'The request names no client',
      headers: { 'www-authenticate': challenge },
    });
  });

  it('refuses a client that registered another method, still with the Basic challenge', async () => {
    const { plane, tenant, basic, challenge } = await setup();
    await registerClient(plane, tenant, {
      secret: 'plain-secret',
      metadata: { token_endpoint_auth_method: 'client_secret_post' },
    });
    await expect(basic('app', 'plain-secret')).rejects.toMatchObject({
      statusCode: 401,
      code: 'invalid_client',
      headers: { 'www-authenticate': challenge },
    });
  });

  it('refuses another client_id in the body', async () => {
    const { plane, tenant, basic } = await setup();
    await registerClient(plane, tenant, { secret: 'plain-secret' });
    await expect(basic('app', 'plain-secret', { client_id: 'other' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'invalid_request',
    });
  });

  it('refuses a secret once it expires by the clock', async () => {
    const { plane, tenant, basic } = await setup();
    await registerClient(plane, tenant, {
      secret: 'plain-secret',
      secretExpiresAt: new Date(plane.clock.now() + 60_000),
    });
    plane.clock.advanceSeconds(59);
    await expect(basic('app', 'plain-secret')).resolves.toMatchObject({ clientId: 'app' });
    plane.clock.advanceSeconds(1);
    await expect(basic('app', 'plain-secret')).rejects.toMatchObject({ code: 'invalid_client' });
  });

  it('accepts the previous secret for the rollover period after a change, by the clock', async () => {
    const { plane, tenant, basic } = await setup();
    const client = await registerClient(plane, tenant, { secret: 'old-secret' });
    await plane.ports.clientStore.update(tenant.tenant.tid, 'app', {
      metadata: client.metadata,
      newSecret: 'new-secret',
    });
    plane.deps.clients.evict(tenant.tenant.tid, 'app');
    await expect(basic('app', 'new-secret')).resolves.toMatchObject({ clientId: 'app' });
    plane.clock.advance(SECRET_ROLLOVER_MS - 1000);
    await expect(basic('app', 'old-secret')).resolves.toMatchObject({ clientId: 'app' });
    plane.clock.advance(1000);
    await expect(basic('app', 'old-secret')).rejects.toMatchObject({ code: 'invalid_client' });
    await expect(basic('app', 'new-secret')).resolves.toMatchObject({ clientId: 'app' });
  });
});
