import { describe, expect, it } from 'vitest';
import { introspectionEndpoint } from '../../../src/endpoints/introspect.ts';
import { newAuthorization } from '../../../src/grants/new-authorization.ts';
import { basicAuthorization } from '../support/client-auth-input.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { answerBody, formRequest, runRoute } from '../support/core-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';

// The introspectionComposer slot (plugins/introspection-composer.ts): the built-in shows each listed resource
// server only its scope values; the webhook composes active answers, can never revive an inactive token, and fails closed.

const FILTER = { type: 'builtin', scopesByResourceServer: { 'rs-orders': ['orders'] } };
const HOOK = { type: 'webhook', url: 'https://hooks.example.com/introspect' };

async function setup(composer: Record<string, unknown>) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({
    ...EC_KEYS,
    introspection: { resourceServers: ['rs-orders', 'rs-other'] },
    plugins: { introspectionComposer: composer },
  });
  for (const clientId of ['rs-orders', 'rs-other'])
    await registerClient(plane, tenant, { clientId, secret: `${clientId}-secret` });
  const authz = newAuthorization(tenant.tenant.config, {
    sub: 'alice',
    cid: 'app',
    scp: ['openid', 'orders', 'profile'],
    iss: tenant.tenant.issuer,
  });
  const { access_token } = await plane.deps.oauth.issuer.issue(tenant, authz);
  const route = introspectionEndpoint.routes(plane.deps)[0]!;
  const introspect = async (clientId: string, token = access_token) => {
    const { answer } = await runRoute(
      route,
      formRequest(
        tenant,
        '/token/introspect',
        { token },
        { authorization: basicAuthorization(clientId, `${clientId}-secret`) },
      ),
    );
    return answer;
  };
  return { plane, tenant, introspect };
}

describe('introspection composer slot', () => {
  it('built-in: a listed resource server sees only its scope values; another sees the scope as it is', async () => {
    const { plane, introspect } = await setup(FILTER);
    expect(answerBody(await introspect('rs-orders'))).toMatchObject({ active: true, scope: 'orders', sub: 'alice' });
    expect(answerBody(await introspect('rs-other'))).toMatchObject({ active: true, scope: 'openid orders profile' });
    expect(answerBody(await introspect('rs-orders', 'not-a-token'))).toEqual({ active: false });
    expect(plane.webhooks.calls).toHaveLength(0);
  });

  it('webhook: composes the active answer for the resource server; exp, iat and iss stay ours', async () => {
    const { plane, introspect } = await setup(HOOK);
    plane.webhooks.on('introspectionComposer', (call) => {
      const response = call.payload.response as Record<string, unknown>;
      return { response: { ...response, scope: 'orders', exp: 9e9, department: 'sales', sub: undefined } };
    });
    const answer = answerBody(await introspect('rs-orders'));
    const sent = plane.webhooks.callsOf('introspectionComposer')[0]!.payload;
    expect(sent).toMatchObject({
      resource_server: 'rs-orders',
      response: { active: true, scope: 'openid orders profile' },
    });
    expect(answer).toMatchObject({
      active: true,
      scope: 'orders',
      department: 'sales',
      exp: (sent.response as { exp: number }).exp,
    });
    expect(answer.sub).toBeUndefined();
  });

  it('webhook: may turn a token inactive, never an inactive one active (it is not even asked)', async () => {
    const { plane, introspect } = await setup(HOOK);
    plane.webhooks.on('introspectionComposer', () => ({ response: { active: false, sub: 'alice', reason: 'x' } }));
    expect(answerBody(await introspect('rs-orders'))).toEqual({ active: false });
    plane.webhooks.on('introspectionComposer', () => ({ response: { active: true, sub: 'mallory', scope: 'admin' } }));
    const before = plane.webhooks.callsOf('introspectionComposer').length;
    expect(answerBody(await introspect('rs-orders', 'not-a-token'))).toEqual({ active: false });
    expect(plane.webhooks.callsOf('introspectionComposer')).toHaveLength(before);
  });

  it('webhook: fails closed — unreachable or no response object is a 503', async () => {
    const { plane, introspect } = await setup(HOOK);
    const down = await introspect('rs-orders');
    expect(down.status).toBe(503);
    expect(answerBody(down)).toMatchObject({ error: 'temporarily_unavailable' });
    plane.webhooks.on('introspectionComposer', () => ({ active: true }));
    expect((await introspect('rs-orders')).status).toBe(503);
  });
});
