import { describe, expect, it } from 'vitest';
import { tokenEndpoint } from '../../../src/endpoints/token.ts';
import { basicAuthorization } from '../support/client-auth-input.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { answerBody, formRequest, runRoute } from '../support/core-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';

// The customTokenResponse slot (plugins/custom-token-response.ts): extra members in every successful token
// response; the webhook sees the response without its token values, never replaces a member, and fails open.

const HOOK = { type: 'webhook', url: 'https://hooks.example.com/token-response' };

async function setup(plugin: Record<string, unknown> | undefined) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({ ...EC_KEYS, plugins: plugin ? { customTokenResponse: plugin } : {} });
  await registerClient(plane, tenant, {
    clientId: 'svc',
    secret: 'svc-secret',
    metadata: { grant_types: ['client_credentials'], scope: 'read' },
  });
  const route = tokenEndpoint.routes(plane.deps)[0]!;
  const token = async () => {
    const { answer } = await runRoute(
      route,
      formRequest(
        tenant,
        '/token',
        { grant_type: 'client_credentials', scope: 'read' },
        { authorization: basicAuthorization('svc', 'svc-secret') },
      ),
    );
    return answer;
  };
  return { plane, token };
}

describe('custom token response slot', () => {
  it('built-in: its members are added to every successful token response', async () => {
    const { plane, token } = await setup({ type: 'builtin', members: { region: 'eu-1', beta: true } });
    expect(answerBody(await token())).toMatchObject({
      token_type: 'Bearer',
      scope: 'read',
      region: 'eu-1',
      beta: true,
      access_token: expect.any(String),
    });
    expect(plane.webhooks.calls).toHaveLength(0);
  });

  it('webhook: sees the grant, client and response without token values; its members are added but never replace one', async () => {
    const { plane, token } = await setup(HOOK);
    plane.webhooks.on('customTokenResponse', () => ({
      members: { tenant_hint: 'acme', access_token: 'forged', expires_in: 1, nested: { no: 1 }, 'bad name': 'x' },
    }));
    const body = answerBody(await token());
    expect(body).toMatchObject({ tenant_hint: 'acme', expires_in: 600, token_type: 'Bearer' });
    expect(body.access_token).not.toBe('forged');
    expect(body.nested).toBeUndefined();
    expect(body['bad name']).toBeUndefined();
    const { payload } = plane.webhooks.callsOf('customTokenResponse')[0]!;
    expect(payload).toEqual({
      grant_type: 'client_credentials',
      client_id: 'svc',
      response: { token_type: 'Bearer', expires_in: 600, scope: 'read' },
    });
  });

  it('webhook: fails open — unreachable or nonsense leaves the response as it is', async () => {
    const { plane, token } = await setup(HOOK);
    const down = await token();
    expect(down.status).toBe(200);
    expect(Object.keys(answerBody(down)).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    plane.webhooks.on('customTokenResponse', () => ({ members: ['x'] }));
    expect(Object.keys(answerBody(await token())).sort()).toEqual([
      'access_token',
      'expires_in',
      'scope',
      'token_type',
    ]);
  });
});
