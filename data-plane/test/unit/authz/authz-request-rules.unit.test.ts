import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseAuthorizationRequest } from '../../../src/authz/authz-request.ts';
import { newAuthorization } from '../../../src/grants/new-authorization.ts';
import { idTokenForAuthorization } from '../../../src/tokens/id-token-issuer.ts';
import { pkcePair } from '../support/authorization-code.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { memoryPlane } from '../support/memory-plane.ts';
import { registerResourceServers } from '../support/resource-servers.ts';

// The authorisation request rules (authz/checks/) through parseAuthorizationRequest on memoryPlane: the real client
// lookup and request object resolution, time by the clock. Complements authz-checks.unit.test.ts (rule order, each refusal).

const REDIRECT = 'https://app.example/cb';

async function setup(config: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({ ...EC_KEYS, ...config });
  const signer = await generateKeyPair('ES256');
  const jwks = { keys: [{ ...(await exportJWK(signer.publicKey)), kid: 'ro-1', alg: 'ES256', use: 'sig' }] };
  const client = await registerClient(plane, tenant, {
    metadata: {
      redirect_uris: [REDIRECT],
      scope: 'openid profile',
      grant_types: ['authorization_code'],
      jwks,
      ...metadata,
    },
  });
  const issuer = tenant.tenant.issuer;
  const parse = (params: Record<string, string> | string) =>
    parseAuthorizationRequest(
      tenant,
      issuer,
      plane.deps,
      typeof params === 'string'
        ? params
        : new URLSearchParams({ client_id: 'app', response_type: 'code', ...params }).toString(),
    );
  /** A request object the client signed with its registered key, times by the plane's clock. */
  const requestObject = (claims: Record<string, unknown>, lifetime = 60) => {
    const now = Math.floor(plane.clock.now() / 1000);
    return new SignJWT({ client_id: 'app', response_type: 'code', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'ro-1' })
      .setIssuer('app')
      .setAudience(issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + lifetime)
      .sign(signer.privateKey);
  };
  return { plane, tenant, client, parse, requestObject };
}

describe('authorisation request rules on memoryPlane', () => {
  it('fills in what a minimal request leaves out: the one redirect URI, the registered scope, query mode, page display', async () => {
    const { parse } = await setup();
    expect(await parse({})).toMatchObject({
      ok: true,
      request: {
        redirectUri: REDIRECT,
        redirectUriGiven: false,
        scope: ['openid', 'profile'],
        responseType: ['code'],
        responseMode: 'query',
        display: 'page',
        prompt: [],
      },
    });
  });

  it('drops empty values and lets resource repeat (RFC 8707): known resources are kept, an unknown one is invalid_target', async () => {
    const { parse, plane, tenant } = await setup();
    const query =
      'client_id=app&response_type=code&state=&resource=https%3A%2F%2Fa.example&resource=https%3A%2F%2Fb.example';
    expect(await parse(query)).toMatchObject({ ok: false, error: 'invalid_target' });
    await registerResourceServers(plane, tenant, ['https://a.example', 'https://b.example']);
    plane.ports.resourceServers.evictTenant(tenant.tenant.tid);
    const parsed = await parse(query);
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && parsed.request.state).toBeUndefined();
    expect(parsed.ok && parsed.request.resources).toEqual(['https://a.example', 'https://b.example']);
  });

  it('requires PKCE where the tenant or the client asks for it; a challenge without a method is plain, allowed only by the tenant', async () => {
    const refusal = {
      ok: false,
      error: 'invalid_request',
      description: 'PKCE is required: missing code_challenge',
      target: { redirectUri: REDIRECT },
    };
    expect(await (await setup({ authorization: { requirePkce: true } })).parse({})).toMatchObject(refusal);
    expect(await (await setup({}, { require_pkce: true })).parse({})).toMatchObject(refusal);
    const { verifier } = pkcePair();
    expect(await (await setup()).parse({ code_challenge: verifier })).toMatchObject({
      ok: false,
      description: 'Unsupported code_challenge_method plain',
    });
    expect(
      await (await setup({ authorization: { allowPlainPkce: true } })).parse({ code_challenge: verifier }),
    ).toMatchObject({ ok: true, request: { codeChallenge: verifier, codeChallengeMethod: 'plain' } });
  });

  it('accepts prompt=none and prompt=create alone, max_age 0, and printable hints; refuses a long max_age and unprintable hints', async () => {
    const { parse } = await setup();
    expect(await parse({ prompt: 'none' })).toMatchObject({ ok: true, request: { prompt: ['none'] } });
    expect(await parse({ prompt: 'create' })).toMatchObject({ ok: true, request: { prompt: ['create'] } });
    expect(await parse({ prompt: 'login consent', max_age: '0' })).toMatchObject({
      ok: true,
      request: { prompt: ['login', 'consent'], maxAge: 0 },
    });
    expect(await parse({ max_age: '1234567890' })).toMatchObject({ ok: false, description: 'Invalid max_age' });
    for (const name of ['login_hint', 'acr_values', 'claims_locales']) {
      expect(await parse({ [name]: 'x\u0001' }), name).toMatchObject({
        ok: false,
        error: 'invalid_request',
        description: `Invalid ${name}`,
        target: { redirectUri: REDIRECT },
      });
    }
  });

  it('puts response type words in canonical order, and needs a nonce for an ID token from the authorisation endpoint', async () => {
    const { parse } = await setup(
      { grants: { grantTypes: ['authorization_code', 'implicit'], responseTypes: ['code', 'code id_token'] } },
      { response_types: ['code id_token'], grant_types: ['authorization_code', 'implicit'] },
    );
    expect(await parse({ response_type: 'id_token code', scope: 'openid', nonce: 'n' })).toMatchObject({
      ok: true,
      request: { responseType: ['code', 'id_token'], responseMode: 'fragment' },
    });
    expect(await parse({ response_type: 'id_token code', scope: 'openid' })).toMatchObject({
      ok: false,
      description: 'A nonce is required for this response type',
    });
  });

  it('refuses a registered scope value the tenant does not support', async () => {
    const { parse } = await setup({ scopes: { supported: ['openid'] } });
    expect(await parse({ scope: 'openid profile' })).toMatchObject({
      ok: false,
      error: 'invalid_scope',
      description: 'The client may not request: profile',
    });
    expect(await parse({})).toMatchObject({ ok: true, request: { scope: ['openid'] } });
  });

  it('requires a pushed request of a client that registered require_pushed_authorization_requests', async () => {
    const { parse } = await setup({}, { require_pushed_authorization_requests: true });
    expect(await parse({})).toMatchObject({
      ok: false,
      description: 'PAR required: push the request to the pushed authorisation request endpoint first',
    });
  });

  it('takes the parameters of a signed request object, which satisfies require_signed_request_object', async () => {
    const { parse, requestObject } = await setup({}, { require_signed_request_object: true });
    expect(await parse({ scope: 'openid' })).toMatchObject({
      ok: false,
      description: 'The client must send a signed request object',
    });
    const parsed = await parse({
      scope: 'openid',
      request: await requestObject({ scope: 'profile', state: 'from-object' }),
    });
    expect(parsed).toMatchObject({ ok: true, request: { scope: ['profile'], state: 'from-object' } });
  });

  it('judges a request object’s expiry and not-before by the clock, before the redirect URI is trusted', async () => {
    const { plane, parse, requestObject } = await setup();
    const object = await requestObject({}, 60);
    plane.clock.advanceSeconds(89);
    expect(await parse({ request: object })).toMatchObject({ ok: true });
    plane.clock.advanceSeconds(2);
    const expired = await parse({ request: object });
    expect(expired).toMatchObject({
      ok: false,
      error: 'invalid_request_object',
      description: expect.stringContaining('"exp"'),
    });
    expect(expired).not.toHaveProperty('target');
    const early = await requestObject({ nbf: Math.floor(plane.clock.now() / 1000) + 120 }, 300);
    expect(await parse({ request: early })).toMatchObject({ ok: false, error: 'invalid_request_object' });
    plane.clock.advanceSeconds(120);
    expect(await parse({ request: early })).toMatchObject({ ok: true });
  });

  it('accepts unsigned request objects only where the tenant allows them', async () => {
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ client_id: 'app', response_type: 'code', state: 'u' })).toString('base64url')}.`;
    expect(await (await setup()).parse({ request: unsigned })).toMatchObject({
      ok: false,
      error: 'invalid_request_object',
      description: 'Unsigned request objects are not accepted: sign it',
    });
    expect(
      await (await setup({ requests: { allowUnsignedRequestObjects: true } })).parse({ request: unsigned }),
    ).toMatchObject({ ok: true, request: { state: 'u' } });
  });

  it('takes the local subject from an id_token_hint this tenant issued to a pairwise client, expired or not', async () => {
    const { plane, tenant, parse } = await setup({}, { subject_type: 'pairwise' });
    const client = (await plane.deps.clients.get(tenant.tenant.tid, 'app'))!;
    const authz = newAuthorization(tenant.tenant.config, {
      sub: 'alice',
      cid: 'app',
      scp: ['openid'],
      iss: tenant.tenant.issuer,
    });
    const hint = await idTokenForAuthorization(tenant, plane.deps, { issuer: tenant.tenant.issuer, client, authz });
    plane.clock.advanceSeconds(86_400);
    expect(await parse({ id_token_hint: hint })).toMatchObject({
      ok: true,
      request: { hintSub: 'alice', idTokenHint: hint },
    });
  });
});
