import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { tokenEndpoint } from '../../../src/endpoints/token.ts';
import { basicAuthorization } from '../support/client-auth-input.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { answerBody, formRequest, runRoute } from '../support/core-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';

describe('token.issued from the token endpoint', () => {
  async function setup() {
    const plane = memoryPlane();
    const tenant = await plane.tenant({ ...EC_KEYS });
    await registerClient(plane, tenant, {
      clientId: 'svc',
      secret: 'svc-secret',
      metadata: { grant_types: ['client_credentials'], scope: 'read write' },
    });
    const route = tokenEndpoint.routes(plane.deps)[0]!;
    const call = (form: Record<string, string>, secret = 'svc-secret') =>
      runRoute(route, formRequest(tenant, '/token', form, { authorization: basicAuthorization('svc', secret) }));
    return { plane, tenant, call };
  }

  it('records one event per token response: grant, client, scope, expiry and the jti, never the token', async () => {
    const { plane, tenant, call } = await setup();
    const { answer } = await call({ grant_type: 'client_credentials', scope: 'read' });
    expect(answer.status).toBe(200);
    const body = answerBody(answer) as { access_token: string; expires_in: number };
    expect(plane.events.events).toHaveLength(1);
    const [event] = plane.events.events;
    const jti = decodeJwt(body.access_token).jti;
    expect(event).toEqual({
      id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      type: 'token.issued',
      tid: tenant.tenant.tid,
      occurred_at: new Date(plane.clock.now()).toISOString(),
      actor: 'client:svc',
      data: {
        grant_type: 'client_credentials',
        client_id: 'svc',
        sub: 'svc',
        scope: ['read'],
        issued: ['access_token'],
        access: {
          jti,
          format: 'jwt',
          expires_at: new Date(plane.clock.now() + body.expires_in * 1000).toISOString(),
        },
      },
    });
    // The token value is nowhere in the event, and the event's facts are nowhere in the answer.
    expect(JSON.stringify(event)).not.toContain(body.access_token);
    expect(Object.keys(body)).not.toContain('jti');
  });

  it('records nothing when no token is issued', async () => {
    const { plane, call } = await setup();
    const refused = await call({ grant_type: 'client_credentials' }, 'wrong');
    expect(refused.answer.status).toBe(401);
    const unknown = await call({ grant_type: 'client_credentials', scope: 'admin' });
    expect(unknown.answer.status).toBe(400);
    expect(plane.events.ofType('token.issued')).toEqual([]);
  });
});
