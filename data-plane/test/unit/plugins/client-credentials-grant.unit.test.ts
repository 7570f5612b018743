import { describe, expect, it } from 'vitest';
import { clientCredentialsGrant } from '../../../src/grants/client-credentials.ts';
import { inspectAccessToken } from '../../../src/oauth/token-inspection.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { grantRequest } from '../support/grant-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';
import { verifyWithPublishedKeys } from '../support/published-keys.ts';

// The clientCredentialsGrant slot (plugins/client-credentials-hook.ts): a webhook narrows or refuses the scope
// and adds access token claims; it can never widen the scope or set a registered claim; it fails closed.

const HOOK = { type: 'webhook', url: 'https://hooks.example.com/cc' };

async function setup(config: Record<string, unknown> = {}) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({ ...EC_KEYS, plugins: { clientCredentialsGrant: HOOK }, ...config });
  const client = await registerClient(plane, tenant, { clientId: 'svc', metadata: { scope: 'read write admin' } });
  const grant = (params: Record<string, string>) =>
    clientCredentialsGrant.handle(grantRequest(plane, tenant, client, { grant_type: 'client_credentials', ...params }));
  return { plane, tenant, grant };
}

describe('client credentials grant slot', () => {
  it('narrows the scope (never widens it) and adds claims, reserved names dropped', async () => {
    const { plane, tenant, grant } = await setup();
    plane.webhooks.on('clientCredentialsGrant', () => ({
      scope: 'read admin superuser',
      claims: { tier: 'gold', sub: 'root', scp: ['everything'], client_id: 'other' },
    }));
    const response = await grant({ scope: 'read write admin' });
    expect(response.scope).toBe('read admin');
    const { claims } = await verifyWithPublishedKeys(plane, tenant, response.access_token);
    expect(claims).toMatchObject({ sub: 'svc', cid: 'svc', scp: ['read', 'admin'], tier: 'gold' });
    expect(claims.client_id).toBeUndefined();
    expect(plane.webhooks.callsOf('clientCredentialsGrant')[0]!.payload).toEqual({
      client_id: 'svc',
      scope: 'read write admin',
    });
  });

  it('claims added to an identifier token show in introspection, never over its subject', async () => {
    const { plane, tenant, grant } = await setup({ tokens: { accessTokenFormat: 'identifier' } });
    plane.webhooks.on('clientCredentialsGrant', () => ({ claims: { tier: 'gold', sub: 'root', active: false } }));
    const response = await grant({ scope: 'read' });
    const active = await inspectAccessToken(tenant, tenant.tenant.issuer, response.access_token, plane.deps);
    expect(active).toMatchObject({ sub: 'svc', scp: ['read'], extra: { tier: 'gold' } });
    expect(active!.extra).toEqual({ tier: 'gold' });
  });

  it('an empty answer keeps the scope the policy granted', async () => {
    const { plane, grant } = await setup();
    plane.webhooks.on('clientCredentialsGrant', () => ({}));
    await expect(grant({ scope: 'read write' })).resolves.toMatchObject({ scope: 'read write' });
  });

  it('refuses with access_denied (403) or invalid_scope (400) and the description the webhook gave', async () => {
    const { plane, grant } = await setup();
    plane.webhooks.on('clientCredentialsGrant', () => ({
      error: 'access_denied',
      error_description: 'Client suspended',
    }));
    await expect(grant({})).rejects.toMatchObject({
      statusCode: 403,
      code: 'access_denied',
      message: 'Client suspended',
    });
    plane.webhooks.on('clientCredentialsGrant', () => ({ error: 'invalid_scope', error_description: 'No "admin"' }));
    // A description outside RFC 6749's characters is replaced, not echoed.
    await expect(grant({})).rejects.toMatchObject({
      statusCode: 400,
      code: 'invalid_scope',
      message: 'The requested scope is not allowed',
    });
  });

  it('fails closed: unreachable, another error code or a malformed answer is a 503', async () => {
    const { plane, grant } = await setup();
    await expect(grant({})).rejects.toMatchObject({ statusCode: 503, code: 'temporarily_unavailable' });
    for (const answer of [{ error: 'server_error' }, { scope: 42 }, { claims: 'tier=gold' }]) {
      plane.webhooks.on('clientCredentialsGrant', () => answer);
      await expect(grant({})).rejects.toMatchObject({ statusCode: 503, code: 'temporarily_unavailable' });
    }
  });
});
