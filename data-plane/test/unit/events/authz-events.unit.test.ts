import { sha256Hex } from '@tessera/shared/http/api-token';
import { tokenHash } from '@tessera/shared/tokens/identifiers';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import type { AnyRoute } from '../../../src/core/route.ts';
import { authzSessionApi } from '../../../src/integration/authz-session-api.ts';
import { authzStoreApi } from '../../../src/integration/authz-store-api.ts';
import { directAuthzApi } from '../../../src/integration/direct-authz-api.ts';
import { directoryApi } from '../../../src/integration/directory-api.ts';
import { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { answerBody, coreRequest, runRoute } from '../support/core-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';

// The events of the authorisation session functions (which the hosted login pages run too), the front
// channel's tokens, the direct authorisation API and the integration APIs' revocations.

const API_TOKEN = 'api-token-api-token-api-token-api-token-0';
const REDIRECT = 'https://app.example/cb';
const IMPLICIT = {
  grants: {
    grantTypes: ['authorization_code', 'refresh_token', 'implicit'],
    responseTypes: ['code', 'id_token token', 'id_token'],
  },
};
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

async function setup(config: Record<string, unknown> = {}) {
  const plane = memoryPlane();
  const plain = await plane.tenant({ ...EC_KEYS, ...config });
  const tenant = new TenantContext(plain.tenant, plain.keys, [sha256Hex(API_TOKEN)], plain.secrets);
  await registerClient(plane, tenant, {
    metadata: {
      redirect_uris: [REDIRECT],
      scope: 'openid email read',
      grant_types: ['authorization_code', 'refresh_token', 'implicit'],
      response_types: ['code', 'id_token token', 'id_token'],
    },
  });
  const routes = [
    ...authzSessionApi.routes(plane.deps),
    ...directAuthzApi.routes(plane.deps),
    ...authzStoreApi.routes(plane.deps),
    ...directoryApi.routes(plane.deps),
  ];
  const call = async (
    name: string,
    init: { method?: string; path?: string; body?: unknown; query?: Record<string, string> },
    params: Record<string, string> = {},
  ) => {
    const route = routes.find((r) => r.name === name) as AnyRoute;
    const request = coreRequest(tenant, {
      method: init.method ?? 'POST',
      path: init.path ?? '/',
      body: init.body,
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    const { answer } = await runRoute(route, { ...request, params, query: init.query ?? {} });
    return { status: answer.status, body: answer.kind === 'empty' ? {} : answerBody(answer) };
  };
  const start = async (params: Record<string, string>) => {
    const query = new URLSearchParams({ client_id: 'app', redirect_uri: REDIRECT, ...params }).toString();
    const started = await call('authz-sessions.start', { body: { query } });
    expect(started.body).toMatchObject({ type: 'auth' });
    return started.body.sid as string;
  };
  const put = (sid: string, body: Record<string, unknown>) =>
    call('authz-sessions.continue', { method: 'PUT', body }, { sid });
  return { plane, tenant, tid: tenant.tenant.tid, call, start, put };
}

describe('subject.authenticated / consent.given / consent.denied from the authorisation session', () => {
  it('raises each at its step: the subject, its method, the session by hash, the grant; no cookie value', async () => {
    const { plane, tid, start, put } = await setup();
    const sid = await start({ response_type: 'code', scope: 'openid email', state: 's1' });
    const auth = await put(sid, { sub: 'alice', amr: ['pwd', 'otp'], acr: 'loa2', auth_time: 1_893_456_000 });
    expect(auth.body).toMatchObject({ type: 'consent' });
    // Nothing is consented yet; the authentication is in the outbox before the consent prompt is answered.
    expect(plane.events.events.map((e) => e.type)).toEqual(['subject.authenticated']);
    const done = await put(sid, { scope: ['openid'], claims: ['email'], long_lived: true });
    expect(done.body).toMatchObject({ type: 'response' });
    const subSid = done.body.sub_sid as string;
    expect(subSid).toEqual(expect.any(String));

    const [authenticated, given, ...rest] = plane.events.events;
    expect(rest).toEqual([]);
    expect(authenticated).toMatchObject({ type: 'subject.authenticated', tid, actor: 'sub:alice' });
    expect(authenticated!.data).toEqual({
      sub: 'alice',
      client_id: 'app',
      amr: ['pwd', 'otp'],
      acr: 'loa2',
      auth_time: '2030-01-01T00:00:00.000Z',
      sid: tokenHash(subSid),
    });
    expect(given).toMatchObject({ type: 'consent.given', tid, actor: 'sub:alice' });
    expect(given!.data).toEqual({
      sub: 'alice',
      client_id: 'app',
      scope: ['openid'],
      claims: ['email'],
      long_lived: true,
    });
    // The subject session id is the SSO cookie's value: a credential, never in an event.
    expect(JSON.stringify(plane.events.events)).not.toContain(subSid);
    // A pure code response issues no token at the front channel: token.issued comes from the token endpoint.
    expect(plane.events.ofType('token.issued')).toEqual([]);
  });

  it('a denial at the consent step names the subject; a cancellation before sign-in the client only', async () => {
    const { plane, tid, call, start, put } = await setup();
    const atConsent = await start({ response_type: 'code', scope: 'openid read' });
    await put(atConsent, { sub: 'bob', amr: ['pwd'] });
    const denied = await call('authz-sessions.cancel', { method: 'DELETE' }, { sid: atConsent });
    expect(JSON.stringify(denied.body)).toContain('access_denied');
    const atAuth = await start({ response_type: 'code', scope: 'openid' });
    await call('authz-sessions.cancel', { method: 'DELETE', query: { error: 'login_required' } }, { sid: atAuth });

    const denials = plane.events.ofType('consent.denied');
    expect(denials.map((e) => [e.tid, e.actor, e.data])).toEqual([
      [
        tid,
        'sub:bob',
        { sub: 'bob', client_id: 'app', scope: ['openid', 'read'], step: 'consent', error: 'access_denied' },
      ],
      [tid, 'client:app', { client_id: 'app', scope: ['openid'], step: 'auth', error: 'login_required' }],
    ]);
    expect(plane.events.ofType('consent.given')).toEqual([]);
  });

  it('a refused consent (scope not asked) raises nothing', async () => {
    const { plane, start, put } = await setup();
    const sid = await start({ response_type: 'code', scope: 'openid' });
    await put(sid, { sub: 'alice' });
    const refused = await put(sid, { scope: ['read'] });
    expect(refused.status).toBe(400);
    expect(plane.events.events.map((e) => e.type)).toEqual(['subject.authenticated']);
  });
});

describe('token.issued from the front channel and the direct authorisation API', () => {
  it('an implicit response: the token endpoint shape, grant_type implicit, the jti, never a token', async () => {
    const { plane, tid, start, put } = await setup(IMPLICIT);
    const sid = await start({ response_type: 'id_token token', scope: 'openid read', nonce: 'n-1' });
    await put(sid, { sub: 'alice' });
    const done = await put(sid, {});
    const fragment = new URLSearchParams(new URL((done.body.parameters as { uri: string }).uri).hash.slice(1));
    const accessToken = fragment.get('access_token')!;
    const idToken = fragment.get('id_token')!;
    expect(accessToken).toEqual(expect.any(String));
    const [issued] = plane.events.ofType('token.issued');
    expect(issued).toMatchObject({ tid, actor: 'client:app' });
    expect(issued!.data).toEqual({
      grant_type: 'implicit',
      response_type: 'id_token token',
      client_id: 'app',
      sub: 'alice',
      scope: ['openid', 'read'],
      issued: ['access_token', 'id_token'],
      access: { jti: decodeJwt(accessToken).jti, format: 'jwt', expires_at: expect.stringMatching(ISO) },
    });
    // The decision comes first, then the tokens it led to.
    expect(plane.events.events.map((e) => e.type)).toEqual(['subject.authenticated', 'consent.given', 'token.issued']);
    const all = JSON.stringify(plane.events.events);
    expect(all).not.toContain(accessToken);
    expect(all).not.toContain(idToken);
  });

  it('an ID token alone: issued [id_token], no access member', async () => {
    const { plane, start, put } = await setup(IMPLICIT);
    const sid = await start({ response_type: 'id_token', scope: 'openid', nonce: 'n-2' });
    await put(sid, { sub: 'carol' });
    await put(sid, {});
    expect(plane.events.ofType('token.issued').map((e) => e.data)).toEqual([
      {
        grant_type: 'implicit',
        response_type: 'id_token',
        client_id: 'app',
        sub: 'carol',
        scope: ['openid'],
        issued: ['id_token'],
      },
    ]);
  });

  it('the direct authorisation API: grant_type direct_authorization, the API token as actor', async () => {
    const { plane, tid, call } = await setup();
    const answer = await call('direct-authz', {
      body: {
        client_id: 'app',
        sub_session: { sub: 'dave', amr: ['pwd'] },
        scope: ['openid', 'read'],
        long_lived: true,
      },
    });
    expect(answer.status).toBe(200);
    const body = answer.body as { access_token: string; refresh_token: string; id_token: string; sub_sid: string };
    const [issued, ...rest] = plane.events.events;
    expect(rest).toEqual([]);
    expect(issued).toMatchObject({ type: 'token.issued', tid, actor: 'tenant_api_token' });
    expect(issued!.data).toMatchObject({
      grant_type: 'direct_authorization',
      client_id: 'app',
      sub: 'dave',
      scope: ['openid', 'read'],
      issued: ['access_token', 'refresh_token', 'id_token'],
      access: { jti: decodeJwt(body.access_token).jti, format: 'jwt' },
    });
    const all = JSON.stringify(plane.events.events);
    for (const secret of [body.access_token, body.refresh_token, body.id_token, body.sub_sid])
      expect(all).not.toContain(secret);
  });
});

describe('authorization.revoked from the integration APIs', () => {
  it('the authz store API (delete, revoke, revoke before a time) and the directory API (user deleted)', async () => {
    const { plane, tid, call } = await setup();
    const longLived = (sub: string) =>
      call('direct-authz', { body: { client_id: 'app', sub, scope: ['read'], long_lived: true } });
    await longLived('erin');
    await longLived('frank');
    plane.events.events.length = 0;

    const removed = await call(
      'authz-store.delete',
      { method: 'DELETE', query: { subject: 'erin', client_id: 'app' } },
      {},
    );
    expect(removed.status).toBe(204);
    const revoked = await call('authz-store.revocation', { body: { client_id: 'app' } });
    expect(revoked.status).toBe(200);
    const at = Math.floor(plane.clock.now() / 1000);
    await call('authz-store.revocation', { body: { subject: 'nobody', timestamp: String(at) } });

    await plane.ports.users.create(tid, { username: 'gina', password: 'correct horse battery', sub: 'gina' });
    const gone = await call('directory.delete', { method: 'DELETE' }, { sub: 'gina' });
    expect(gone.status).toBe(204);

    expect(plane.events.events.map((e) => [e.type, e.tid, e.actor, e.data])).toEqual([
      [
        'authorization.revoked',
        tid,
        'tenant_api_token',
        { client_id: 'app', sub: 'erin', via: 'authz_store_api', authorizations: 1 },
      ],
      [
        'authorization.revoked',
        tid,
        'tenant_api_token',
        { client_id: 'app', via: 'authz_store_api', authorizations: 1 },
      ],
      [
        'authorization.revoked',
        tid,
        'tenant_api_token',
        { sub: 'nobody', via: 'authz_store_api', issued_before: new Date(at * 1000).toISOString(), authorizations: 0 },
      ],
      ['authorization.revoked', tid, 'tenant_api_token', { sub: 'gina', via: 'directory_api' }],
    ]);
  });

  it('a refused revocation raises nothing', async () => {
    const { plane, call } = await setup();
    const refused = await call('authz-store.revocation', { body: {} });
    expect(refused.status).toBe(400);
    const missing = await call('authz-store.delete', { method: 'DELETE', query: { subject: 'x', client_id: 'app' } });
    expect(missing.status).toBe(404);
    expect(plane.events.events).toEqual([]);
  });
});
