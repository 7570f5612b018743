import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { newAuthorization } from '../../../src/grants/new-authorization.ts';
import { tokenExchangeGrant } from '../../../src/grants/token-exchange.ts';
import { inspectAccessToken } from '../../../src/oauth/token-inspection.ts';
import type { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { grantRequest } from '../support/grant-request.ts';
import { type MemoryPlane, memoryPlane } from '../support/memory-plane.ts';
import { registerResourceServers } from '../support/resource-servers.ts';
import { trustedIssuer } from '../support/trusted-issuer.ts';

// RFC 8693 on the in-memory ports: subject and actor tokens, act and may_act, the policy, scope and audiences.

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const AT = 'urn:ietf:params:oauth:token-type:access_token';
const RT = 'urn:ietf:params:oauth:token-type:refresh_token';
const ID = 'urn:ietf:params:oauth:token-type:id_token';
const JWT = 'urn:ietf:params:oauth:token-type:jwt';
const PARTNER = 'https://partner.example';

const ALL_TYPES = [AT, RT, ID, JWT];

async function setup(config: Record<string, unknown> = {}) {
  const plane = memoryPlane();
  const partner = await trustedIssuer(PARTNER, 'p1', ['token-exchange']);
  const tenant = await plane.tenant({
    ...EC_KEYS,
    grants: { grantTypes: ['authorization_code', 'refresh_token', GRANT] },
    trustedIssuers: [partner.entry],
    tokenExchange: {
      policies: [
        {
          clients: ['api'],
          subjectTokenTypes: ALL_TYPES,
          audiences: ['https://backend.example', 'https://orders.example'],
        },
      ],
    },
    ...config,
  });
  // The APIs (RFC 8707 resource servers) tokens may be exchanged for.
  await registerResourceServers(plane, tenant, [
    'https://backend.example',
    'https://orders.example',
    'https://payments.example',
  ]);
  const api = await registerClient(plane, tenant, {
    clientId: 'api',
    metadata: { grant_types: [GRANT], scope: 'read write' },
  });
  const exchange = (params: Record<string, string>, client = api, context = tenant) =>
    tokenExchangeGrant.handle(grantRequest(plane, context, client, { grant_type: GRANT, ...params }));
  const partnerJwt = (claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'p1' })
      .setIssuer(PARTNER)
      .setIssuedAt(Math.floor(plane.clock.now() / 1000))
      .setExpirationTime(Math.floor(plane.clock.now() / 1000) + 300)
      .sign(partner.privateKey);
  return { plane, tenant, api, exchange, partnerJwt };
}

/** An access token of the tenant, as any grant would issue it. */
async function accessToken(
  plane: MemoryPlane,
  tenant: TenantContext,
  fields: { sub: string; cid?: string; scp?: string[]; atc?: Record<string, unknown>; act?: { sub: string } },
) {
  const authz = newAuthorization(tenant.tenant.config, {
    cid: 'web',
    scp: ['read', 'write'],
    iss: tenant.tenant.issuer,
    ...fields,
  });
  return (await plane.deps.oauth.issuer.issue(tenant, authz)).access_token;
}

/** The RFC 6749 §5.2 error a grant threw, as the token endpoint would send it; undefined when it issued. */
const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { code?: string; message?: string }) => ({ error: e.code, error_description: e.message }),
  );

describe('token exchange grant', () => {
  it('impersonation: a token for the subject of an own access token, to the client, scope narrowed, no act', async () => {
    const { plane, tenant, exchange } = await setup();
    const subjectToken = await accessToken(plane, tenant, { sub: 'alice' });
    const response = await exchange({ subject_token: subjectToken, subject_token_type: AT, scope: 'read' });
    expect(response).toMatchObject({ issued_token_type: AT, token_type: 'Bearer', scope: 'read', expires_in: 600 });
    expect(response.refresh_token).toBeUndefined();
    const claims = decodeJwt(response.access_token);
    expect(claims).toMatchObject({ sub: 'alice', cid: 'api', scp: ['read'], iss: tenant.tenant.issuer });
    expect(claims.act).toBeUndefined();
  });

  it('delegation: act names the actor, nested over the subject token’s own act; introspection shows it', async () => {
    const { plane, tenant, exchange, partnerJwt } = await setup();
    const subjectToken = await accessToken(plane, tenant, { sub: 'alice', act: { sub: 'gateway' } });
    const actorToken = await accessToken(plane, tenant, { sub: 'svc-a', cid: 'svc-a' });
    const response = await exchange({
      subject_token: subjectToken,
      subject_token_type: AT,
      actor_token: actorToken,
      actor_token_type: AT,
      audience: 'https://orders.example',
    });
    expect(decodeJwt(response.access_token)).toMatchObject({
      sub: 'alice',
      aud: ['https://orders.example'],
      act: { sub: 'svc-a', act: { sub: 'gateway' } },
    });
    const active = await inspectAccessToken(tenant, tenant.tenant.issuer, response.access_token, plane.deps);
    expect(active?.act).toEqual({ sub: 'svc-a', act: { sub: 'gateway' } });
    // An actor from a trusted issuer is named with its issuer.
    const external = await exchange({
      subject_token: subjectToken,
      subject_token_type: AT,
      actor_token: await partnerJwt({ sub: 'robot' }),
      actor_token_type: JWT,
    });
    expect(decodeJwt(external.access_token).act).toEqual({ sub: 'robot', iss: PARTNER, act: { sub: 'gateway' } });
  });

  it('identifier access tokens keep act, and a requested jwt is a JWT with token_type N_A', async () => {
    const { plane, tenant, exchange } = await setup({
      tokens: { accessTokenFormat: 'identifier' },
    });
    const subjectToken = await accessToken(plane, tenant, { sub: 'alice' });
    const actorToken = await accessToken(plane, tenant, { sub: 'svc-a' });
    const opaque = await exchange({
      subject_token: subjectToken,
      subject_token_type: AT,
      actor_token: actorToken,
      actor_token_type: AT,
    });
    expect(opaque.access_token.split('.')).toHaveLength(1);
    const active = await inspectAccessToken(tenant, tenant.tenant.issuer, opaque.access_token, plane.deps);
    expect(active).toMatchObject({ sub: 'alice', cid: 'api', act: { sub: 'svc-a' } });
    const jwt = await exchange({ subject_token: subjectToken, subject_token_type: AT, requested_token_type: JWT });
    expect(jwt).toMatchObject({ issued_token_type: JWT, token_type: 'N_A' });
    expect(decodeJwt(jwt.access_token)).toMatchObject({ sub: 'alice', cid: 'api' });
  });

  it('accepts a JWT of a trusted issuer (its scope, its may_act) and refuses an untrusted or expired one', async () => {
    const { plane, exchange, partnerJwt } = await setup();
    const response = await exchange({
      subject_token: await partnerJwt({ sub: 'bob', scope: 'read write' }),
      subject_token_type: JWT,
      scope: 'write',
    });
    expect(decodeJwt(response.access_token)).toMatchObject({ sub: 'bob', scp: ['write'] });
    const stranger = await generateKeyPair('ES256');
    const forged = await new SignJWT({ sub: 'bob' })
      .setProtectedHeader({ alg: 'ES256', kid: 'p1' })
      .setIssuer(PARTNER)
      .setExpirationTime('5m')
      .sign(stranger.privateKey);
    expect(await errorOf(exchange({ subject_token: forged, subject_token_type: JWT }))).toMatchObject({
      error: 'invalid_grant',
    });
    const untrusted = await new SignJWT({ sub: 'bob' })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('https://elsewhere.example')
      .setExpirationTime('5m')
      .sign(stranger.privateKey);
    expect(await errorOf(exchange({ subject_token: untrusted, subject_token_type: JWT }))).toMatchObject({
      error: 'invalid_grant',
      error_description: 'Invalid subject_token: the issuer is not trusted',
    });
    const old = await partnerJwt({ sub: 'bob' });
    plane.clock.advance(3600_000);
    expect(await errorOf(exchange({ subject_token: old, subject_token_type: JWT }))).toMatchObject({
      error: 'invalid_grant',
      error_description: 'Invalid subject_token: the JWT expired',
    });
  });

  it('may_act: only the party it names may act (the actor token, or the client itself)', async () => {
    const { plane, tenant, exchange } = await setup();
    const subjectToken = await accessToken(plane, tenant, { sub: 'alice', atc: { may_act: { sub: 'svc-a' } } });
    const allowed = await exchange({
      subject_token: subjectToken,
      subject_token_type: AT,
      actor_token: await accessToken(plane, tenant, { sub: 'svc-a' }),
      actor_token_type: AT,
    });
    expect(decodeJwt(allowed.access_token).act).toEqual({ sub: 'svc-a' });
    for (const actor of [
      { actor_token: await accessToken(plane, tenant, { sub: 'svc-b' }), actor_token_type: AT },
      {},
    ] as Record<string, string>[])
      expect(await errorOf(exchange({ subject_token: subjectToken, subject_token_type: AT, ...actor }))).toMatchObject({
        error: 'invalid_grant',
      });
    const forClient = await accessToken(plane, tenant, { sub: 'alice', atc: { may_act: { sub: 'api' } } });
    expect(decodeJwt((await exchange({ subject_token: forClient, subject_token_type: AT })).access_token).sub).toBe(
      'alice',
    );
  });

  it('the policy: default deny (unauthorized_client), audiences it does not list (invalid_target)', async () => {
    const { plane, tenant, exchange } = await setup();
    const other = await registerClient(plane, tenant, { clientId: 'other', metadata: { grant_types: [GRANT] } });
    const subjectToken = await accessToken(plane, tenant, { sub: 'alice' });
    expect(await errorOf(exchange({ subject_token: subjectToken, subject_token_type: AT }, other))).toMatchObject({
      error: 'unauthorized_client',
    });
    expect(
      await errorOf(
        exchange({ subject_token: subjectToken, subject_token_type: AT, audience: 'https://payments.example' }),
      ),
    ).toMatchObject({ error: 'invalid_target' });
    expect(
      await errorOf(exchange({ subject_token: subjectToken, subject_token_type: AT, resource: 'not a uri' })),
    ).toMatchObject({ error: 'invalid_target' });
    const ok = await exchange({
      subject_token: subjectToken,
      subject_token_type: AT,
      resource: 'https://backend.example',
    });
    expect(decodeJwt(ok.access_token).aud).toEqual(['https://backend.example']);
    // Allowed by the policy, but not an API of the tenant (oauth/resource-indicators.ts).
    const { exchange: anyAudience } = await setup({
      tokenExchange: { policies: [{ clients: ['*'], subjectTokenTypes: [AT], audiences: ['*'] }] },
    });
    expect(
      await errorOf(
        anyAudience({ subject_token: subjectToken, subject_token_type: AT, resource: 'https://unknown.example' }),
      ),
    ).toMatchObject({ error: 'invalid_target' });
    const { exchange: none } = await setup({ tokenExchange: { policies: [] } });
    expect(await errorOf(none({ subject_token: subjectToken, subject_token_type: AT }))).toMatchObject({
      error: 'unauthorized_client',
    });
  });

  it('refuses bad requests: missing subject token, an actor token without its type, an unknown type, a wider scope', async () => {
    const { plane, tenant, exchange } = await setup();
    const subjectToken = await accessToken(plane, tenant, { sub: 'alice', scp: ['read'] });
    const cases: Array<[Record<string, string>, string]> = [
      [{ subject_token_type: AT }, 'invalid_request'],
      [{ subject_token: subjectToken, subject_token_type: AT, actor_token: subjectToken }, 'invalid_request'],
      [{ subject_token: subjectToken, subject_token_type: 'urn:x' }, 'unauthorized_client'],
      [{ subject_token: subjectToken, subject_token_type: AT, requested_token_type: RT }, 'invalid_request'],
      [{ subject_token: subjectToken, subject_token_type: AT, scope: 'read write' }, 'invalid_scope'],
      [{ subject_token: 'garbage', subject_token_type: AT }, 'invalid_grant'],
    ];
    for (const [params, error] of cases)
      expect(await errorOf(exchange(params)), JSON.stringify(params)).toMatchObject({ error });
  });

  it('never accepts another tenant’s access token, even one for the same subject and client ids', async () => {
    const a = await setup();
    const b = await setup();
    const fromA = await accessToken(a.plane, a.tenant, { sub: 'alice' });
    expect(await errorOf(b.exchange({ subject_token: fromA, subject_token_type: AT }))).toMatchObject({
      error: 'invalid_grant',
    });
    // Even in the same process: A's token at a second tenant of A's own plane.
    const second = await a.plane.tenant(a.tenant.tenant.config as never);
    const api = await registerClient(a.plane, second, { clientId: 'api', metadata: { grant_types: [GRANT] } });
    expect(await errorOf(a.exchange({ subject_token: fromA, subject_token_type: AT }, api, second))).toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('refresh tokens: only the presenting client’s own; ID tokens: only those issued to it', async () => {
    const { plane, tenant, exchange } = await setup();
    const authz = newAuthorization(tenant.tenant.config, {
      sub: 'alice',
      cid: 'api',
      scp: ['read'],
      iss: tenant.tenant.issuer,
    });
    authz.refreshToken.issue = true;
    const { refresh_token: own } = await plane.deps.oauth.issuer.issue(tenant, authz);
    const fromOwn = await exchange({ subject_token: own!, subject_token_type: RT });
    expect(decodeJwt(fromOwn.access_token)).toMatchObject({ sub: 'alice', scp: ['read'] });
    const { refresh_token: others } = await plane.deps.oauth.issuer.issue(tenant, { ...authz, cid: 'web' });
    expect(await errorOf(exchange({ subject_token: others!, subject_token_type: RT }))).toMatchObject({
      error: 'invalid_grant',
      error_description: 'Invalid subject_token: the refresh token was issued to another client',
    });
    // An access token is not an ID token.
    const at = await accessToken(plane, tenant, { sub: 'alice' });
    expect(await errorOf(exchange({ subject_token: at, subject_token_type: ID }))).toMatchObject({
      error: 'invalid_grant',
    });
  });
});
