import { describe, expect, it } from 'vitest';
import { tokenEndpoint } from '../../../src/endpoints/token.ts';
import { basicAuthorization } from '../support/client-auth-input.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { formRequest, runRoute } from '../support/core-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';

async function setup(events: Record<string, unknown>) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({ ...EC_KEYS, events });
  await registerClient(plane, tenant, {
    clientId: 'svc',
    secret: 'svc-secret',
    metadata: { grant_types: ['client_credentials'], scope: 'read' },
  });
  const route = tokenEndpoint.routes(plane.deps)[0]!;
  const call = (secret: string) =>
    runRoute(
      route,
      formRequest(
        tenant,
        '/token',
        { grant_type: 'client_credentials', client_id: 'svc' },
        { authorization: basicAuthorization('svc', secret) },
      ),
    );
  return { plane, call };
}

describe('client authentication events', () => {
  it('are raised when the tenant listens: success with the method, failure with the public reason', async () => {
    const { plane, call } = await setup({
      endpoints: [{ url: 'https://hooks.example/e', types: ['client.authenticated', 'client.authentication_failed'] }],
    });
    expect((await call('svc-secret')).answer.status).toBe(200);
    expect((await call('wrong')).answer.status).toBe(401);
    expect(plane.events.events.map((e) => e.type)).toEqual([
      'client.authenticated',
      'token.issued',
      'client.authentication_failed',
    ]);
    expect(plane.events.ofType('client.authenticated')[0]).toMatchObject({
      actor: 'client:svc',
      data: { client_id: 'svc', method: 'client_secret_basic', endpoint: '/token' },
    });
    const failure = plane.events.ofType('client.authentication_failed')[0]!;
    expect(failure.data).toMatchObject({ client_id: 'svc', endpoint: '/token', reason: expect.any(String) });
    expect(JSON.stringify(failure)).not.toContain('wrong');
  });

  it('are not raised when nobody listens (the token path keeps its one XADD)', async () => {
    const { plane, call } = await setup({ endpoints: [{ url: 'https://hooks.example/e', types: ['key.rotated'] }] });
    await call('svc-secret');
    await call('wrong');
    expect(plane.events.events.map((e) => e.type)).toEqual(['token.issued']);
  });
});
