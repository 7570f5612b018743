import { verifySignature } from '@tessera/shared/plugins/signature';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { eventually, uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { type ReceivedRequest, startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';
import { createWebhookSecret } from './support/webhook-secret.ts';

// Issue 14: two tenants, one with the front-channel and registration slots set (its authorisation request validator
// a real HTTPS webhook on loopback, software statements required at registration), one with the defaults.

type Who = 'a' | 'b';
const REDIRECT = 'https://client.example.com/cb';

describe('front-channel and registration plugin slots (real HTTPS webhook, Postgres, Redis)', () => {
  let planes: InProcessPlanes;
  let receiver: WebhookReceiver;
  let federation: Awaited<ReturnType<typeof generateKeyPair>>;
  let webhookSecret = '';
  const t: Record<Who, { tid: string; issuer: string; apiToken: string; clientId: string }> = {} as never;

  /** The tenant's validator: no payroll scope for anyone, said clearly. */
  const validator = (request: ReceivedRequest) => {
    const { params } = JSON.parse(request.body) as { params: Record<string, string> };
    return (params.scope ?? '').split(' ').includes('payroll')
      ? { body: JSON.stringify({ error: 'access_denied', error_description: 'Payroll is not available to this app' }) }
      : { body: '{}' };
  };

  const login = (who: Who, params: Record<string, string>) =>
    planes.dp.app.inject({
      method: 'GET',
      url: `/login?${new URLSearchParams({
        client_id: t[who].clientId,
        response_type: 'code',
        redirect_uri: REDIRECT,
        state: 'st-1',
        ...params,
      })}`,
      headers: { 'tenant-id': t[who].tid },
    });
  const register = (who: Who, body: Record<string, unknown>) =>
    planes.dp.app.inject({
      method: 'POST',
      url: '/clients',
      headers: {
        'tenant-id': t[who].tid,
        authorization: `Bearer ${t[who].apiToken}`,
        'content-type': 'application/json',
      },
      payload: JSON.stringify(body),
    });
  const statement = (claims: Record<string, unknown>, iss = 'https://federation.example') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'fed-1' })
      .setIssuer(iss)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(federation.privateKey);

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    receiver = await startWebhookReceiver(validator);
    federation = await generateKeyPair('ES256');
    const fedJwk = { ...(await exportJWK(federation.publicKey)), kid: 'fed-1', alg: 'ES256', use: 'sig' };
    for (const who of ['a', 'b'] as const) {
      const tid = uniqueTid(`front-slots-${who}`);
      const issuer = `https://${tid}.example.com`;
      const config =
        who === 'a'
          ? {
              plugins: {
                authorizationRequestValidator: { type: 'webhook', url: `${receiver.url}/authz-request` },
                registrationInterceptor: {
                  type: 'builtin',
                  required: true,
                  issuers: [{ iss: 'https://federation.example', jwks: { keys: [fedJwk] } }],
                },
              },
            }
          : {};
      const { apiToken } = await planes.createTenant({ tid, name: tid, issuer, config });
      const { clientId } = await addClient(planes.s, tid, {
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        scope: 'openid profile payroll',
      });
      t[who] = { tid, issuer, apiToken, clientId };
    }
    // The webhook secret signs every call; shown once.
    webhookSecret = await createWebhookSecret(planes, t.a.tid);
  }, 120_000);
  afterAll(async () => {
    await receiver?.close();
    await planes?.close();
  });

  it("tenant A's authorisation request validator refuses a request with a clear error, redirected to the client", async () => {
    // Until every node has the new secret, the call fails closed (temporarily_unavailable): wait for the refusal.
    const res = await eventually(
      () => login('a', { scope: 'openid payroll' }),
      (r) => (r.headers.location ?? '').includes('access_denied'),
      10_000,
    );
    expect(res.statusCode).toBeGreaterThanOrEqual(302);
    expect(res.statusCode).toBeLessThan(400);
    const location = new URL(res.headers.location as string);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      error: 'access_denied',
      error_description: 'Payroll is not available to this app',
      state: 'st-1',
    });

    // What the webhook got: signed with the tenant's secret, the documented payload.
    const call = receiver.requests.at(-1)!;
    expect(call.method).toBe('POST');
    expect(call.path).toBe('/authz-request');
    expect(
      verifySignature(webhookSecret, call.body, call.headers['tessera-signature'] as string, Date.now() / 1000),
    ).toBe(true);
    expect(JSON.parse(call.body)).toEqual({
      // The invoker names the slot and the tenant in every call (docs/plugins/webhooks.md); the slot's own members follow.
      slot: 'authorizationRequestValidator',
      tenant: t.a.tid,
      client_id: t.a.clientId,
      params: {
        client_id: t.a.clientId,
        response_type: 'code',
        redirect_uri: REDIRECT,
        state: 'st-1',
        scope: 'openid payroll',
      },
    });

    // A request it accepts goes on to the login page.
    const accepted = await login('a', { scope: 'openid profile' });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.headers['content-type']).toMatch(/^text\/html/);
  });

  it('tenant B with the defaults is unaffected: the same request reaches its login page, no webhook is called', async () => {
    const before = receiver.requests.length;
    const res = await login('b', { scope: 'openid payroll' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(receiver.requests.length).toBe(before);
  });

  it('tenant A requires a software statement from a trusted issuer at registration; its claims take precedence', async () => {
    const none = await register('a', { redirect_uris: [REDIRECT] });
    expect(none.statusCode).toBe(400);
    expect(none.json()).toEqual({
      error: 'invalid_software_statement',
      error_description: 'The tenant requires a software_statement',
    });

    const rogue = await generateKeyPair('ES256');
    const forged = await new SignJWT({ client_name: 'Forged' })
      .setProtectedHeader({ alg: 'ES256', kid: 'fed-1' })
      .setIssuer('https://federation.example')
      .setExpirationTime('10m')
      .sign(rogue.privateKey);
    expect((await register('a', { redirect_uris: [REDIRECT], software_statement: forged })).json()).toMatchObject({
      error: 'invalid_software_statement',
    });
    expect(
      (
        await register('a', {
          redirect_uris: [REDIRECT],
          software_statement: await statement({}, 'https://elsewhere.example'),
        })
      ).json(),
    ).toMatchObject({ error: 'unapproved_software_statement' });

    const jwt = await statement({ software_id: 'acme-payroll', client_name: 'Acme Payroll (certified)' });
    const created = await register('a', {
      redirect_uris: [REDIRECT],
      client_name: 'Anything',
      software_id: 'mine',
      software_statement: jwt,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      client_name: 'Acme Payroll (certified)',
      software_id: 'acme-payroll',
      software_statement: jwt,
    });
    const stored = await planes.s.db
      .selectFrom('clients')
      .select('metadata')
      .where('tid', '=', t.a.tid)
      .where('client_id', '=', created.json().client_id)
      .executeTakeFirstOrThrow();
    expect(stored.metadata).toMatchObject({ client_name: 'Acme Payroll (certified)', software_id: 'acme-payroll' });

    // Tenant B registers as before, without a statement.
    const b = await register('b', { redirect_uris: [REDIRECT], client_name: 'Anything' });
    expect(b.statusCode, b.body).toBe(201);
    expect(b.json()).toMatchObject({ client_name: 'Anything' });
  });
});
