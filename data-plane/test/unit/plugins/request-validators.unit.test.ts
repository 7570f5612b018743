import { describe, expect, it } from 'vitest';
import { parseAuthorizationRequest } from '../../../src/authz/authz-request.ts';
import { parEndpoint } from '../../../src/endpoints/par.ts';
import { basicAuthorization } from '../support/client-auth-input.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { answerBody, formRequest, runRoute } from '../support/core-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';

// The authorisation request validator (the last authorisation request check) and the PAR validator (before a
// pushed request is stored): built-in rules, the webhook's three answers, and its failure rule (closed).

const REDIRECT = 'https://app.example/cb';
const HOOK = { type: 'webhook', url: 'https://hooks.example/validate' } as const;

async function setup(plugins: Record<string, unknown>) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({ ...EC_KEYS, plugins });
  const client = await registerClient(plane, tenant, {
    metadata: { redirect_uris: [REDIRECT], scope: 'openid profile email admin', grant_types: ['authorization_code'] },
  });
  const parse = (params: Record<string, string>) =>
    parseAuthorizationRequest(
      tenant,
      tenant.tenant.issuer,
      plane.deps,
      new URLSearchParams({ client_id: 'app', response_type: 'code', state: 'st', ...params }).toString(),
    );
  const par = (params: Record<string, string>) =>
    runRoute(
      parEndpoint.routes(plane.deps)[0]!,
      formRequest(
        tenant,
        '/par',
        { response_type: 'code', redirect_uri: REDIRECT, ...params },
        {
          authorization: basicAuthorization('app', 's3cret-s3cret-s3cret'),
        },
      ),
    );
  return { plane, tenant, client, parse, par };
}

/** A refusal the authorisation endpoint redirects to the client, with the state. */
const redirected = (error: string, description: string | RegExp) => ({
  ok: false,
  error,
  description: typeof description === 'string' ? description : expect.stringMatching(description),
  target: { redirectUri: REDIRECT, state: 'st' },
});

describe('authorizationRequestValidator', () => {
  it('built-in: a missing required parameter and a forbidden scope are refused, redirected to the client', async () => {
    const { parse } = await setup({
      authorizationRequestValidator: {
        type: 'builtin',
        requiredParameters: ['acr_values'],
        forbiddenScopes: ['admin'],
      },
    });
    expect(await parse({ scope: 'openid' })).toMatchObject(
      redirected('invalid_request', 'Missing parameter: acr_values'),
    );
    expect(await parse({ scope: 'openid admin', acr_values: 'loa2' })).toMatchObject(
      redirected('invalid_scope', 'The scope may not be requested: admin'),
    );
    expect(await parse({ scope: 'openid email', acr_values: 'loa2' })).toMatchObject({ ok: true });
  });

  it('built-in: a forbidden scope the client would get by default is refused too (the scope the checks established)', async () => {
    const { parse } = await setup({ authorizationRequestValidator: { type: 'builtin', forbiddenScopes: ['admin'] } });
    expect(await parse({})).toMatchObject(redirected('invalid_scope', /admin/));
  });

  it('webhook: gets {client_id, params} without id_token_hint or request; {} accepts', async () => {
    const { plane, parse } = await setup({ authorizationRequestValidator: HOOK });
    plane.webhooks.on('authorizationRequestValidator', () => ({}));
    expect(await parse({ scope: 'openid email', nonce: 'n-1' })).toMatchObject({
      ok: true,
      request: { scope: ['openid', 'email'] },
    });
    const [call] = plane.webhooks.callsOf('authorizationRequestValidator');
    expect(call).toMatchObject({ url: HOOK.url, timeoutMs: 2000, idempotent: true });
    expect(call!.payload).toEqual({
      client_id: 'app',
      params: { client_id: 'app', response_type: 'code', state: 'st', scope: 'openid email', nonce: 'n-1' },
    });
  });

  it('webhook: a refusal is the clear OAuth error it names, redirected with the state', async () => {
    const { plane, parse } = await setup({ authorizationRequestValidator: HOOK });
    plane.webhooks.on('authorizationRequestValidator', () => ({
      error: 'access_denied',
      error_description: 'Admins sign in through the staff portal',
    }));
    expect(await parse({ scope: 'openid' })).toMatchObject(
      redirected('access_denied', 'Admins sign in through the staff portal'),
    );
  });

  it('webhook: changed members become the request after passing the standard checks again', async () => {
    const { plane, parse } = await setup({ authorizationRequestValidator: HOOK });
    plane.webhooks.on('authorizationRequestValidator', () => ({
      params: { scope: 'openid profile', max_age: null, prompt: 'login' },
    }));
    const parsed = await parse({ scope: 'openid email', max_age: '60' });
    expect(parsed).toMatchObject({ ok: true, request: { scope: ['openid', 'profile'], prompt: ['login'] } });
    expect(parsed.ok && parsed.request.maxAge).toBeUndefined();
    expect(parsed.ok && parsed.request.params).toMatchObject({ scope: 'openid profile', prompt: 'login' });
    expect(parsed.ok && 'max_age' in parsed.request.params).toBe(false);

    // A change the standard checks refuse is refused, saying the validator made it.
    plane.webhooks.on('authorizationRequestValidator', () => ({ params: { scope: 'openid payroll' } }));
    expect(await parse({ scope: 'openid' })).toMatchObject(
      redirected(
        'invalid_scope',
        /as the tenant's validator changed it is refused: The client may not request: payroll/,
      ),
    );
  });

  it('fails closed: unreachable, or an answer out of contract (changing redirect_uri, an unknown code), is temporarily_unavailable to the client', async () => {
    const { plane, parse } = await setup({ authorizationRequestValidator: HOOK });
    // Nothing scripted: the call fails as an unreachable webhook does.
    expect(await parse({ scope: 'openid' })).toMatchObject(redirected('temporarily_unavailable', /unavailable/));
    plane.webhooks.on('authorizationRequestValidator', () => ({ params: { redirect_uri: 'https://evil.example/' } }));
    expect(await parse({ scope: 'openid' })).toMatchObject(redirected('temporarily_unavailable', /unavailable/));
    plane.webhooks.on('authorizationRequestValidator', () => ({ error: 'whatever' }));
    expect(await parse({ scope: 'openid' })).toMatchObject(redirected('temporarily_unavailable', /unavailable/));
    plane.webhooks.on('authorizationRequestValidator', () => ({ ok: false, failure: 'timeout', detail: 'slow' }));
    expect(await parse({ scope: 'openid' })).toMatchObject(redirected('temporarily_unavailable', /unavailable/));
  });

  it('a request the standard rules refuse never reaches the webhook; without the slot nothing is called', async () => {
    const { plane, parse } = await setup({ authorizationRequestValidator: HOOK });
    plane.webhooks.on('authorizationRequestValidator', () => ({}));
    expect(await parse({ scope: 'openid payroll' })).toMatchObject(redirected('invalid_scope', /payroll/));
    expect(plane.webhooks.callsOf('authorizationRequestValidator')).toHaveLength(0);
    const plain = await setup({});
    expect(await plain.parse({ scope: 'openid' })).toMatchObject({ ok: true });
    expect(plain.plane.webhooks.calls).toHaveLength(0);
  });
});

describe('parValidator', () => {
  it('built-in: refuses before anything is stored (400, RFC 9126 §2.3 error)', async () => {
    const { par, plane } = await setup({ parValidator: { type: 'builtin', requiredParameters: ['login_hint'] } });
    const { answer } = await par({ scope: 'openid' });
    expect(answer.status).toBe(400);
    expect(answerBody(answer)).toEqual({
      error: 'invalid_request',
      error_description: 'Missing parameter: login_hint',
    });
    const ok = await par({ scope: 'openid', login_hint: 'alice' });
    expect(ok.answer.status).toBe(201);
    expect(plane.webhooks.calls).toHaveLength(0);
  });

  it('webhook: a refusal answers its error; a change is what the authorisation endpoint later reads', async () => {
    const { par, parse, plane } = await setup({ parValidator: HOOK });
    plane.webhooks.on('parValidator', (call) =>
      (call.payload.params as Record<string, string>).scope?.includes('admin')
        ? { error: 'invalid_scope', error_description: 'No admin through PAR' }
        : { params: { scope: 'openid profile' } },
    );
    const refused = await par({ scope: 'openid admin' });
    expect(refused.answer.status).toBe(400);
    expect(answerBody(refused.answer)).toEqual({ error: 'invalid_scope', error_description: 'No admin through PAR' });

    const pushed = await par({ scope: 'openid email' });
    expect(pushed.answer.status).toBe(201);
    expect(plane.webhooks.callsOf('parValidator').at(-1)!.payload).toMatchObject({
      client_id: 'app',
      params: { client_id: 'app', scope: 'openid email', redirect_uri: REDIRECT },
    });
    const requestUri = answerBody(pushed.answer).request_uri as string;
    const parsed = await parse({ request_uri: requestUri });
    expect(parsed).toMatchObject({ ok: true, request: { scope: ['openid', 'profile'] } });
  });

  it('fails closed: 503 temporarily_unavailable, nothing stored', async () => {
    const { par } = await setup({ parValidator: HOOK });
    const { answer } = await par({ scope: 'openid' });
    expect(answer.status).toBe(503);
    expect(answerBody(answer)).toMatchObject({ error: 'temporarily_unavailable' });
  });
});
