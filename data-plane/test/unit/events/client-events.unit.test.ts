import { sha256Hex } from '@tessera/shared/http/api-token';
import { describe, expect, it } from 'vitest';
import { registrationEndpoint } from '../../../src/endpoints/registration.ts';
import { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import { EC_KEYS } from '../support/clients.ts';
import { answerBody, coreRequest, runRoute } from '../support/core-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';

const MASTER = 'master-token-master-token-master-token-00';

describe('client.registered / client.changed / client.deleted from the registration endpoint', () => {
  it('raises one event per change, after it, with no secret', async () => {
    const plane = memoryPlane();
    const plain = await plane.tenant({ ...EC_KEYS });
    const tenant = new TenantContext(plain.tenant, plain.keys, [sha256Hex(MASTER)], plain.secrets);
    const routes = registrationEndpoint.routes(plane.deps);
    const run = (name: string, init: Parameters<typeof coreRequest>[1], params?: Record<string, string>) => {
      const request = coreRequest(tenant, { ...init, headers: { authorization: `Bearer ${MASTER}` } });
      return runRoute(routes.find((r) => r.name === name)!, params ? { ...request, params } : request);
    };
    const created = await run('client-registration.register', {
      path: '/clients',
      body: { redirect_uris: ['https://app.example/cb'] },
    });
    expect(created.answer.status).toBe(201);
    const { client_id: clientId, client_secret: secret } = answerBody(created.answer) as {
      client_id: string;
      client_secret: string;
    };
    const updated = await run(
      'client-registration.update',
      {
        method: 'PUT',
        path: `/clients/${clientId}`,
        body: { client_id: clientId, redirect_uris: ['https://app.example/cb2'] },
      },
      { client_id: clientId },
    );
    expect(updated.answer.status).toBe(200);
    const deleted = await run(
      'client-registration.delete',
      { method: 'DELETE', path: `/clients/${clientId}` },
      { client_id: clientId },
    );
    expect(deleted.answer.status).toBe(204);
    expect(plane.events.events.map((e) => [e.type, e.data.client_id, e.actor])).toEqual([
      ['client.registered', clientId, `client:${clientId}`],
      ['client.changed', clientId, `client:${clientId}`],
      ['client.deleted', clientId, `client:${clientId}`],
    ]);
    expect(plane.events.events[0]!.data).toEqual({ client_id: clientId, grant_types: ['authorization_code'] });
    expect(secret).toEqual(expect.any(String));
    expect(JSON.stringify(plane.events.events)).not.toContain(secret);
  });
});
