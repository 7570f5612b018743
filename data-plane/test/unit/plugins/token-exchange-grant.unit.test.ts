import { decodeJwt, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { newAuthorization } from '../../../src/grants/new-authorization.ts';
import { tokenExchangeGrant } from '../../../src/grants/token-exchange.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { grantRequest } from '../support/grant-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';
import { registerResourceServers } from '../support/resource-servers.ts';
import { trustedIssuer } from '../support/trusted-issuer.ts';

// The tokenExchangeGrant slot (plugins/token-exchange-hook.ts): after Tessera verified the tokens and its policy
// allowed the exchange, the handler refuses, or shapes the token within what Tessera would issue; it fails closed.

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const AT = 'urn:ietf:params:oauth:token-type:access_token';
const JWT = 'urn:ietf:params:oauth:token-type:jwt';
const PARTNER = 'https://partner.example';
const ORDERS = 'https://orders.example';
const BACKEND = 'https://backend.example';
const HOOK = { type: 'webhook', url: 'https://hooks.example.com/tx' };

async function setup() {
  const plane = memoryPlane();
  const partner = await trustedIssuer(PARTNER, 'p1', ['token-exchange']);
  const tenant = await plane.tenant({
    ...EC_KEYS,
    grants: { grantTypes: ['authorization_code', GRANT] },
    trustedIssuers: [partner.entry],
    tokenExchange: { policies: [{ clients: ['api'], subjectTokenTypes: [AT, JWT], audiences: [ORDERS, BACKEND] }] },
    plugins: { tokenExchangeGrant: HOOK },
  });
  await registerResourceServers(plane, tenant, [ORDERS, BACKEND]);
  const api = await registerClient(plane, tenant, { clientId: 'api', metadata: { grant_types: [GRANT] } });
  const other = await registerClient(plane, tenant, { clientId: 'other', metadata: { grant_types: [GRANT] } });
  const exchange = (params: Record<string, string>, client = api) =>
    tokenExchangeGrant.handle(grantRequest(plane, tenant, client, { grant_type: GRANT, ...params }));
  const accessToken = async (sub: string, cid = 'web') =>
    (
      await plane.deps.oauth.issuer.issue(
        tenant,
        newAuthorization(tenant.tenant.config, { sub, cid, scp: ['read', 'write'], iss: tenant.tenant.issuer }),
      )
    ).access_token;
  const partnerJwt = (claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'p1' })
      .setIssuer(PARTNER)
      .setExpirationTime(Math.floor(plane.clock.now() / 1000) + 300)
      .sign(partner.privateKey);
  return { plane, tenant, other, exchange, accessToken, partnerJwt };
}

describe('token exchange grant slot', () => {
  it('gets the validated facts (never a token) and shapes the token: subject, narrower scope and audience, act, claims', async () => {
    const { plane, tenant, exchange, accessToken, partnerJwt } = await setup();
    const subjectToken = await accessToken('alice');
    const actorToken = await partnerJwt({ sub: 'robot', team: 'ops' });
    plane.webhooks.on('tokenExchangeGrant', () => ({
      allow: true,
      sub: 'alice-admin',
      scope: 'read admin',
      aud: [ORDERS, 'https://elsewhere.example'],
      act: { sub: 'robot-7', iss: PARTNER },
      claims: { ticket: 'CHG-42', sub: 'root', scp: ['everything'] },
    }));
    const response = await exchange({
      subject_token: subjectToken,
      subject_token_type: AT,
      actor_token: actorToken,
      actor_token_type: JWT,
      scope: 'read write',
      resource: `${ORDERS} ${BACKEND}`,
    });
    expect(response.scope).toBe('read');
    expect(decodeJwt(response.access_token)).toMatchObject({
      sub: 'alice-admin',
      cid: 'api',
      scp: ['read'],
      aud: [ORDERS],
      act: { sub: 'robot-7', iss: PARTNER },
      ticket: 'CHG-42',
    });
    const call = plane.webhooks.callsOf('tokenExchangeGrant')[0]!;
    expect(call).toMatchObject({ tid: tenant.tenant.tid, url: HOOK.url });
    expect(call.payload).toEqual({
      client_id: 'api',
      subject: { token_type: AT, iss: tenant.tenant.issuer, sub: 'alice', scope: 'read write', client_id: 'web' },
      actor: {
        token_type: JWT,
        iss: PARTNER,
        sub: 'robot',
        claims: expect.objectContaining({ iss: PARTNER, sub: 'robot', team: 'ops' }),
      },
      requested_token_type: AT,
      sub: 'alice',
      scope: 'read write',
      audience: [ORDERS, BACKEND],
      act: { sub: 'robot', iss: PARTNER },
    });
    expect(JSON.stringify(call.payload)).not.toContain(subjectToken);
    expect(JSON.stringify(call.payload)).not.toContain(actorToken);
  });

  it('an answer of {"allow": true} alone issues what Tessera would; act null drops the actor', async () => {
    const { plane, exchange, accessToken } = await setup();
    plane.webhooks.on('tokenExchangeGrant', () => ({ allow: true }));
    const subjectToken = await accessToken('alice');
    const actorToken = await accessToken('svc-a');
    const params = {
      subject_token: subjectToken,
      subject_token_type: AT,
      actor_token: actorToken,
      actor_token_type: AT,
    };
    expect(decodeJwt((await exchange({ ...params, audience: ORDERS })).access_token)).toMatchObject({
      sub: 'alice',
      scp: ['read', 'write'],
      aud: [ORDERS],
      act: { sub: 'svc-a' },
    });
    plane.webhooks.on('tokenExchangeGrant', () => ({ allow: true, act: null }));
    expect(decodeJwt((await exchange(params)).access_token).act).toBeUndefined();
  });

  it('refuses with invalid_grant, or the error it names, and its description when it is RFC 6749 text', async () => {
    const { plane, exchange, accessToken } = await setup();
    const params = { subject_token: await accessToken('alice'), subject_token_type: AT };
    plane.webhooks.on('tokenExchangeGrant', () => ({ allow: false, error_description: 'Alice is on leave' }));
    await expect(exchange(params)).rejects.toMatchObject({
      statusCode: 400,
      code: 'invalid_grant',
      message: 'Alice is on leave',
    });
    plane.webhooks.on('tokenExchangeGrant', () => ({
      allow: false,
      error: 'invalid_target',
      error_description: 'No "orders"',
    }));
    await expect(exchange(params)).rejects.toMatchObject({
      code: 'invalid_target',
      message: 'The token exchange is not allowed',
    });
  });

  it('the policy and the token checks come first: the handler is not asked about what Tessera refuses', async () => {
    const { plane, other, exchange, accessToken } = await setup();
    plane.webhooks.on('tokenExchangeGrant', () => ({ allow: true }));
    const subjectToken = await accessToken('alice');
    await expect(exchange({ subject_token: subjectToken, subject_token_type: AT }, other)).rejects.toMatchObject({
      code: 'unauthorized_client',
    });
    await expect(exchange({ subject_token: 'forged', subject_token_type: AT })).rejects.toMatchObject({
      code: 'invalid_grant',
    });
    await expect(
      exchange({ subject_token: subjectToken, subject_token_type: AT, audience: 'https://payments.example' }),
    ).rejects.toMatchObject({ code: 'invalid_target' });
    expect(plane.webhooks.callsOf('tokenExchangeGrant')).toHaveLength(0);
  });

  it('fails closed: unreachable, no allow, another error, a malformed member or an audience of none is a 503', async () => {
    const { plane, exchange, accessToken } = await setup();
    const params = { subject_token: await accessToken('alice'), subject_token_type: AT, audience: ORDERS };
    await expect(exchange(params)).rejects.toMatchObject({ statusCode: 503, code: 'temporarily_unavailable' });
    for (const answer of [
      {},
      { allow: 'yes' },
      { allow: false, error: 'server_error' },
      { allow: true, scope: 42 },
      { allow: true, sub: '' },
      { allow: true, act: { iss: PARTNER } },
      { allow: true, claims: ['x'] },
      { allow: true, aud: ['https://elsewhere.example'] },
    ]) {
      plane.webhooks.on('tokenExchangeGrant', () => answer);
      await expect(exchange(params), JSON.stringify(answer)).rejects.toMatchObject({
        statusCode: 503,
        code: 'temporarily_unavailable',
        message: "The tenant's token exchange grant handler is unavailable",
      });
    }
  });
});
