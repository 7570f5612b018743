import { describe, expect, it } from 'vitest';
import { startAuthzSession } from '../../../src/authz/authz-flow.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { memoryPlane } from '../support/memory-plane.ts';

// The web SSO eligibility checker: asked where an existing subject session would let the flow skip the login page.

const HOOK = { type: 'webhook', url: 'https://hooks.example/sso' } as const;

async function setup(plugins: Record<string, unknown>) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({ ...EC_KEYS, plugins });
  await registerClient(plane, tenant, {
    metadata: { redirect_uris: ['https://app.example/cb'], scope: 'openid', grant_types: ['authorization_code'] },
  });
  const now = Math.floor(plane.clock.now() / 1000);
  const subSid = await plane.ports.sessions.create(tenant.tenant.tid, tenant.secrets['identifier-hmac'], {
    sub: 'alice',
    authTime: now - 60,
    creationTime: now - 60,
    maxLife: 3600,
    acr: 'loa2',
    amr: ['pwd'],
  });
  const start = (params: Record<string, string> = {}) =>
    startAuthzSession(
      { context: tenant, issuer: tenant.tenant.issuer, deps: plane.deps },
      {
        query: new URLSearchParams({ client_id: 'app', response_type: 'code', scope: 'openid', ...params }).toString(),
        subSid,
      },
    );
  return { plane, start, now };
}

describe('webSsoEligibility', () => {
  it('without the slot the session is reused (the consent step) and nothing is called', async () => {
    const { plane, start } = await setup({});
    expect((await start()).type).toBe('consent');
    expect(plane.webhooks.calls).toHaveLength(0);
  });

  it('{eligible: true} reuses the session; the payload is {sub, client_id, session, params}', async () => {
    const { plane, start, now } = await setup({ webSsoEligibility: HOOK });
    plane.webhooks.on('webSsoEligibility', () => ({ eligible: true }));
    expect((await start({ state: 's1' })).type).toBe('consent');
    const [call] = plane.webhooks.callsOf('webSsoEligibility');
    expect(call!.payload).toEqual({
      sub: 'alice',
      client_id: 'app',
      session: { auth_time: now - 60, acr: 'loa2', amr: ['pwd'] },
      params: { client_id: 'app', response_type: 'code', scope: 'openid', state: 's1' },
    });
  });

  it('{eligible: false}, a malformed answer or a failed call (fail closed): the end-user signs in again', async () => {
    const { plane, start } = await setup({ webSsoEligibility: HOOK });
    plane.webhooks.on('webSsoEligibility', () => ({ eligible: false }));
    expect((await start()).type).toBe('auth');
    plane.webhooks.on('webSsoEligibility', () => ({ eligible: 'yes' }));
    expect((await start()).type).toBe('auth');
    plane.webhooks.on('webSsoEligibility', () => ({ ok: false, failure: 'status', status: 500, detail: '500' }));
    expect((await start()).type).toBe('auth');
    // prompt=none cannot sign in again: login_required goes back to the client.
    const none = await start({ prompt: 'none', state: 's' });
    expect(none).toMatchObject({ type: 'response' });
    expect(JSON.stringify(none)).toContain('login_required');
  });

  it('is not asked when the standard rules already require a login', async () => {
    const { plane, start } = await setup({ webSsoEligibility: HOOK });
    plane.webhooks.on('webSsoEligibility', () => ({ eligible: true }));
    expect((await start({ prompt: 'login' })).type).toBe('auth');
    expect(plane.webhooks.calls).toHaveLength(0);
  });
});
