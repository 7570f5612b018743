import { describe, expect, it } from 'vitest';
import {
  type AuthzMessage,
  cancelAuthzSession,
  continueAuthzSession,
  type FlowContext,
} from '../../../src/authz/authz-flow.ts';
import { startDeviceSession } from '../../../src/authz/device-flow.ts';
import { deviceCodeGrant } from '../../../src/grants/device-code.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { grantRequest } from '../support/grant-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';
import { verifyWithPublishedKeys } from '../support/published-keys.ts';

// RFC 8628 §3.4–3.5 on the in-memory ports and clock: the device polls while the end-user decides through the flow.

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

async function setup() {
  const plane = memoryPlane();
  const tenant = await plane.tenant({
    ...EC_KEYS,
    grants: { grantTypes: ['authorization_code', 'refresh_token', DEVICE_GRANT] },
  });
  const client = await registerClient(plane, tenant, {
    clientId: 'tv',
    secret: null,
    metadata: {
      token_endpoint_auth_method: 'none',
      grant_types: [DEVICE_GRANT, 'refresh_token'],
      redirect_uris: [],
      scope: 'openid profile offline_access',
    },
  });
  const { tid, issuer } = tenant.tenant;
  const flow: FlowContext = { context: tenant, issuer, deps: plane.deps };
  const device = (dpopJkt?: string) =>
    plane.ports.deviceRequests.create(tid, tenant.secrets['identifier-hmac'], {
      issuer,
      clientId: 'tv',
      scope: ['openid', 'profile'],
      exp: Math.floor(plane.clock.now() / 1000) + 600,
      interval: 5,
      ...(dpopJkt ? { dpopJkt } : {}),
    });
  const poll = (deviceCode: string, c = client) =>
    deviceCodeGrant.handle(grantRequest(plane, tenant, c, { grant_type: DEVICE_GRANT, device_code: deviceCode }));
  /** The end-user enters the code, signs in as alice, then allows (or denies). */
  const decide = async (userCode: string, decision: 'allow' | 'deny'): Promise<AuthzMessage[]> => {
    const auth = await startDeviceSession(flow, { userCode: userCode.toLowerCase().replace(/(....)/, '$1 - ') });
    if (auth.type !== 'auth') throw new Error(`expected auth, got ${JSON.stringify(auth)}`);
    const consent = await continueAuthzSession(flow, auth.sid, { sub: 'alice', amr: ['pwd'], acr: 'urn:test' });
    if (consent.type !== 'consent') throw new Error(`expected consent, got ${consent.type}`);
    const final =
      decision === 'allow'
        ? await continueAuthzSession(flow, consent.sid, { scope: '*', claims: '*' })
        : await cancelAuthzSession(flow, consent.sid);
    return [auth, consent, final];
  };
  const errorOf = (p: Promise<unknown>) =>
    p.then(
      () => 'none',
      (e: { code?: string }) => e.code ?? String(e),
    );
  return { plane, tenant, client, flow, device, poll, decide, errorOf };
}

describe('device_code grant', () => {
  it('is pending until the end-user approves, then issues tokens with their ID token, once', async () => {
    const { plane, tenant, device, poll, decide, errorOf } = await setup();
    const { deviceCode, userCode } = await device();
    expect(await errorOf(poll(deviceCode))).toBe('authorization_pending');
    const [, consent, final] = await decide(userCode, 'allow');
    // Consent is asked always: the end-user sees which application they let in (RFC 8628 §5.4).
    expect(consent).toMatchObject({ client: { client_id: 'tv' }, scope: { new: ['openid', 'profile'] } });
    expect(final).toEqual({ type: 'response', mode: 'device', parameters: {}, sub_sid: expect.any(String) });
    plane.clock.advanceSeconds(5);
    const tokens = await poll(deviceCode);
    expect(tokens).toMatchObject({ token_type: 'Bearer', scope: 'openid profile' });
    expect(tokens.refresh_token).toBeDefined();
    const id = await verifyWithPublishedKeys(plane, tenant, tokens.id_token!);
    expect(id.claims).toMatchObject({ sub: 'alice', aud: 'tv', amr: ['pwd'], acr: 'urn:test' });
    expect(id.claims.sid).toMatch(/^[0-9a-f]{64}$/);
    plane.clock.advanceSeconds(5);
    expect(await errorOf(poll(deviceCode))).toBe('invalid_grant');
  });

  it('answers slow_down to a poll within the interval, and the interval grows by 5 s', async () => {
    const { plane, device, poll, errorOf } = await setup();
    const { deviceCode } = await device();
    expect(await errorOf(poll(deviceCode))).toBe('authorization_pending');
    plane.clock.advanceSeconds(4);
    expect(await errorOf(poll(deviceCode))).toBe('slow_down');
    plane.clock.advanceSeconds(9);
    expect(await errorOf(poll(deviceCode))).toBe('slow_down');
    plane.clock.advanceSeconds(15);
    expect(await errorOf(poll(deviceCode))).toBe('authorization_pending');
  });

  it('answers access_denied after the end-user denies, and the code cannot be approved after', async () => {
    const { plane, flow, device, poll, decide, errorOf } = await setup();
    const { deviceCode, userCode } = await device();
    const [, , final] = await decide(userCode, 'deny');
    expect(final).toMatchObject({ type: 'response', mode: 'device', parameters: { error: 'access_denied' } });
    expect(await errorOf(poll(deviceCode))).toBe('access_denied');
    expect(await startDeviceSession(flow, { userCode })).toMatchObject({ type: 'error' });
    plane.clock.advanceSeconds(5);
    expect(await errorOf(poll(deviceCode))).toBe('access_denied');
  });

  it('answers expired_token past the code life; the user code then leads nowhere', async () => {
    const { plane, flow, device, poll, errorOf } = await setup();
    const { deviceCode, userCode } = await device();
    plane.clock.advanceSeconds(600);
    expect(await errorOf(poll(deviceCode))).toBe('expired_token');
    expect(await startDeviceSession(flow, { userCode })).toEqual({
      type: 'error',
      error: 'invalid_request',
      error_description: 'Unknown or expired user code',
    });
  });

  it("binds the tokens to the DPoP key the poll proved, the public device's refresh token too", async () => {
    const { plane, tenant, client, device, decide } = await setup();
    const { deviceCode, userCode } = await device();
    await decide(userCode, 'allow');
    const jkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
    const tokens = await deviceCodeGrant.handle({
      ...grantRequest(plane, tenant, client, { grant_type: DEVICE_GRANT, device_code: deviceCode }),
      dpopJkt: jkt,
    });
    expect(tokens.token_type).toBe('DPoP');
    const access = await verifyWithPublishedKeys(plane, tenant, tokens.access_token);
    expect(access.claims.cnf).toEqual({ jkt });
    expect(tokens.refresh_token).toBeDefined();
  });

  it('lets only the DPoP key proved at /device-authz poll a device code bound to it', async () => {
    const { plane, tenant, client, device, decide, errorOf } = await setup();
    const jkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
    const { deviceCode, userCode } = await device(jkt);
    await decide(userCode, 'allow');
    const pollWith = (dpopJkt?: string) =>
      deviceCodeGrant.handle({
        ...grantRequest(plane, tenant, client, { grant_type: DEVICE_GRANT, device_code: deviceCode }),
        ...(dpopJkt ? { dpopJkt } : {}),
      });
    expect(await errorOf(pollWith())).toBe('invalid_grant');
    expect(await errorOf(pollWith('other-key-thumbprint-aaaaaaaaaaaaaaaaaaaaaaa'))).toBe('invalid_grant');
    const tokens = await pollWith(jkt);
    expect(tokens.token_type).toBe('DPoP');
  });

  it('refuses a forged device code, another client, and another tenant', async () => {
    const { plane, tenant, device, poll, errorOf } = await setup();
    const { deviceCode } = await device();
    expect(await errorOf(poll('x'.repeat(43)))).toBe('invalid_grant');
    const other = await registerClient(plane, tenant, {
      clientId: 'other-tv',
      secret: null,
      metadata: { token_endpoint_auth_method: 'none', grant_types: [DEVICE_GRANT], redirect_uris: [] },
    });
    expect(await errorOf(poll(deviceCode, other))).toBe('invalid_grant');
    const elsewhere = await plane.tenant({ ...EC_KEYS, grants: { grantTypes: [DEVICE_GRANT], responseTypes: [] } });
    const there = await registerClient(plane, elsewhere, {
      clientId: 'tv',
      secret: null,
      metadata: { token_endpoint_auth_method: 'none', grant_types: [DEVICE_GRANT], redirect_uris: [] },
    });
    const atB = deviceCodeGrant.handle(
      grantRequest(plane, elsewhere, there, { grant_type: DEVICE_GRANT, device_code: deviceCode }),
    );
    expect(await errorOf(atB)).toBe('invalid_grant');
    // The refusals cost the device nothing: its own poll still finds the request pending.
    expect(await errorOf(poll(deviceCode))).toBe('authorization_pending');
  });
});
