import { verifySignature } from '@tessera/shared/plugins/signature';
import { type CryptoKey, decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { eventually, uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { type ReceivedRequest, startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';
import { createWebhookSecret } from './support/webhook-secret.ts';

// Issue 16: the grant handler slots over a real HTTPS webhook on loopback, signed with the tenant's secret
// (Postgres, Redis): jwtBearerGrant maps a verified assertion; tokenExchangeGrant shapes an exchange Tessera
// verified and its policy allowed. Both refuse with invalid_grant and fail closed with a 503.

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const AT = 'urn:ietf:params:oauth:token-type:access_token';
const HR = 'https://hr.example';

describe('grant handler slots (real HTTPS webhook, Postgres, Redis)', () => {
  let planes: InProcessPlanes;
  let receiver: WebhookReceiver;
  let hrKey: CryptoKey;
  let webhookSecret = '';
  let tid = '';
  let issuer = '';
  const secrets: Record<string, string> = {};
  /** What each path answers; the tests change it. */
  const answers: Record<string, (request: ReceivedRequest) => { status?: number; body?: string }> = {};

  const token = (clientId: string, params: Record<string, string>) =>
    planes.dp.app.inject({
      method: 'POST',
      url: '/token',
      headers: {
        'tenant-id': tid,
        authorization: `Basic ${Buffer.from(`${clientId}:${secrets[clientId]}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams(params).toString(),
    });
  const assertion = (sub = 'E-1001') =>
    new SignJWT({ jti: crypto.randomUUID(), email: 'alice@hr.example' })
      .setProtectedHeader({ alg: 'ES256', kid: 'hr-1' })
      .setIssuer(HR)
      .setSubject(sub)
      .setAudience(issuer)
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(hrKey);
  const jwtBearer = async (scope = 'read write') =>
    token('batch', { grant_type: JWT_BEARER, assertion: await assertion(), scope });
  const callsTo = (path: string) => receiver.requests.filter((r) => r.path === path);
  const signed = (request: ReceivedRequest) =>
    verifySignature(webhookSecret, request.body, request.headers['tessera-signature'] as string, Date.now() / 1000);

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    receiver = await startWebhookReceiver((request) => answers[request.path]?.(request) ?? { status: 404 });
    const hr = await generateKeyPair('ES256');
    hrKey = hr.privateKey;
    tid = uniqueTid('grant-slots');
    issuer = `https://${tid}.example.com`;
    await planes.createTenant({
      tid,
      name: tid,
      issuer,
      config: {
        grants: { grantTypes: ['authorization_code', 'client_credentials', JWT_BEARER, TOKEN_EXCHANGE] },
        trustedIssuers: [
          {
            issuer: HR,
            jwks: { keys: [{ ...(await exportJWK(hr.publicKey)), kid: 'hr-1' }] },
            algorithms: ['ES256'],
            uses: ['jwt-bearer'],
          },
        ],
        tokenExchange: { policies: [{ clients: ['api'], subjectTokenTypes: [AT] }] },
        plugins: {
          jwtBearerGrant: { type: 'webhook', url: `${receiver.url}/jwt-bearer`, timeoutMs: 1000 },
          tokenExchangeGrant: { type: 'webhook', url: `${receiver.url}/token-exchange`, timeoutMs: 1000 },
        },
      },
    });
    for (const [clientId, grantTypes] of [
      ['batch', [JWT_BEARER]],
      ['api', [TOKEN_EXCHANGE, 'client_credentials']],
    ] as const) {
      const { secret } = await addClient(
        planes.s,
        tid,
        { token_endpoint_auth_method: 'client_secret_basic', grant_types: [...grantTypes], scope: 'read write' },
        { clientId },
      );
      secrets[clientId] = secret!;
    }
    webhookSecret = await createWebhookSecret(planes, tid);
  }, 120_000);
  afterAll(async () => {
    await receiver?.close();
    await planes?.close();
  });

  it('jwtBearerGrant: the signed claims go out, the mapped subject, narrowed scope and claims come back', async () => {
    answers['/jwt-bearer'] = () => ({
      body: JSON.stringify({ allow: true, sub: 'alice', scope: 'read admin', claims: { department: 'finance' } }),
    });
    // Until this node has the new secret, calls fail closed (temporarily_unavailable): wait for the token.
    const issued = await eventually(jwtBearer, (r) => r.statusCode === 200, 10_000);
    const body = issued.json() as { access_token: string; scope: string };
    expect(body.scope).toBe('read');
    expect(decodeJwt(body.access_token)).toMatchObject({
      iss: issuer,
      sub: 'alice',
      cid: 'batch',
      scp: ['read'],
      department: 'finance',
    });
    const call = callsTo('/jwt-bearer').at(-1)!;
    expect(signed(call)).toBe(true);
    expect(JSON.parse(call.body)).toEqual({
      slot: 'jwtBearerGrant',
      tenant: tid,
      client_id: 'batch',
      issuer: HR,
      claims: expect.objectContaining({ iss: HR, sub: 'E-1001', aud: issuer, email: 'alice@hr.example' }),
      scope: 'read write',
      audience: [],
    });

    answers['/jwt-bearer'] = () => ({ body: JSON.stringify({ allow: false, error_description: 'Employee left' }) });
    const refused = await jwtBearer();
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ error: 'invalid_grant', error_description: 'Employee left' });

    answers['/jwt-bearer'] = () => ({ status: 500 });
    const failed = await jwtBearer();
    expect(failed.statusCode).toBe(503);
    expect(failed.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: "The tenant's jwt bearer assertion grant handler is unavailable",
    });
  });

  it('tokenExchangeGrant: the facts of the verified tokens go out (no token), the shaped token comes back', async () => {
    answers['/jwt-bearer'] = () => ({ body: JSON.stringify({ allow: true, sub: 'alice' }) });
    const subject = await eventually(jwtBearer, (r) => r.statusCode === 200, 10_000);
    const subjectToken = (subject.json() as { access_token: string }).access_token;
    const actor = await token('api', { grant_type: 'client_credentials', scope: 'read' });
    expect(actor.statusCode, actor.body).toBe(200);
    const actorToken = (actor.json() as { access_token: string }).access_token;
    const exchange = () =>
      token('api', {
        grant_type: TOKEN_EXCHANGE,
        subject_token: subjectToken,
        subject_token_type: AT,
        actor_token: actorToken,
        actor_token_type: AT,
      });

    answers['/token-exchange'] = () => ({
      body: JSON.stringify({ allow: true, scope: ['read', 'admin'], act: null, claims: { ticket: 'CHG-42' } }),
    });
    const exchanged = await exchange();
    expect(exchanged.statusCode, exchanged.body).toBe(200);
    expect(exchanged.json()).toMatchObject({ issued_token_type: AT, token_type: 'Bearer', scope: 'read' });
    const claims = decodeJwt((exchanged.json() as { access_token: string }).access_token);
    expect(claims).toMatchObject({ sub: 'alice', cid: 'api', scp: ['read'], ticket: 'CHG-42' });
    expect(claims.act).toBeUndefined();
    const call = callsTo('/token-exchange').at(-1)!;
    expect(signed(call)).toBe(true);
    expect(JSON.parse(call.body)).toEqual({
      slot: 'tokenExchangeGrant',
      tenant: tid,
      client_id: 'api',
      subject: { token_type: AT, iss: issuer, sub: 'alice', scope: 'read write', client_id: 'batch' },
      actor: { token_type: AT, iss: issuer, sub: 'api', scope: 'read', client_id: 'api' },
      requested_token_type: AT,
      sub: 'alice',
      scope: 'read write',
      audience: [],
      act: { sub: 'api' },
    });
    expect(call.body).not.toContain(subjectToken);
    expect(call.body).not.toContain(actorToken);

    answers['/token-exchange'] = () => ({ body: JSON.stringify({ allow: false }) });
    const refused = await exchange();
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ error: 'invalid_grant', error_description: 'The token exchange is not allowed' });

    answers['/token-exchange'] = () => ({ body: JSON.stringify({ allow: true, act: 'api' }) });
    const bad = await exchange();
    expect(bad.statusCode).toBe(503);
    expect(bad.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: "The tenant's token exchange grant handler is unavailable",
    });
  });
});
