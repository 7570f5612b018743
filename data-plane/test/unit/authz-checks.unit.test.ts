import { UNLIMITED } from '@tessera/shared/billing/plan';
import type { Client, ClientMetadata } from '@tessera/shared/clients/client';
import { parseTenantConfig } from '@tessera/shared/config/validate-tenant-config';
import type { KeyInfo, PublicJwk } from '@tessera/shared/keys/key-store';
import type { Tenant } from '@tessera/shared/tenancy/tenant';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { checkAuthorizationRequest } from '../../src/authz/authz-request.ts';
import type { IncomingDeps } from '../../src/authz/checks/authz-check.ts';
import { AFTER_REDIRECT, BEFORE_REDIRECT } from '../../src/authz/checks/index.ts';
import type { ResolvedParams } from '../../src/authz/request-source.ts';
import { TenantContext } from '../../src/tenancy/tenant-context.ts';

const ISSUER = 'https://op.example/t1';
const REDIRECT = 'https://app.example/cb';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

function contextWith(config: Record<string, unknown> = {}, keys: KeyInfo[] = []): TenantContext {
  const now = new Date();
  const tenant: Tenant = {
    tid: 't1',
    name: 't1',
    issuer: ISSUER,
    status: 'active',
    statusReason: null,
    plan: 'free',
    limits: UNLIMITED,
    attrs: {},
    configVersion: 1,
    config: parseTenantConfig(config),
    aliases: [],
    createdAt: now,
    updatedAt: now,
  };
  const secret = Buffer.alloc(32, 7);
  return new TenantContext(tenant, keys, [], {
    'identifier-hmac': secret,
    'refresh-token-enc': secret,
    'subject-enc': secret,
    'access-token-enc': secret,
  });
}

function clientWith(metadata: ClientMetadata = {}): Client {
  const now = new Date();
  return {
    tid: 't1',
    clientId: 'app',
    secret: 's3cret',
    secretExpiresAt: null,
    previousSecret: null,
    previousSecretValidUntil: null,
    registrationTokenSha256: null,
    createdAt: now,
    updatedAt: now,
    metadata: { redirect_uris: [REDIRECT], grant_types: ['authorization_code'], response_types: ['code'], ...metadata },
  };
}

/** In-memory dependencies: one client; the parameters come from the query unless `source` says otherwise. */
function depsWith(
  client: Client | undefined,
  source: ResolvedParams = { ok: true, params: {}, source: 'query' },
): IncomingDeps {
  return {
    clients: { get: async (_tid, id) => (client && id === client.clientId ? client : undefined) },
    resolve: async (params) =>
      source.ok && source.source === 'query' ? { ok: true, params, source: 'query' } : source,
  };
}

/** A tenant config enabling these response types (and the implicit grant they may need). */
const typesOn = (responseTypes: string[]) => ({
  grants: { grantTypes: ['authorization_code', 'implicit'], responseTypes },
});

const query = (params: Record<string, string>) => new URLSearchParams(params).toString();
const base = {
  client_id: 'app',
  response_type: 'code',
  redirect_uri: REDIRECT,
  code_challenge: CHALLENGE,
  code_challenge_method: 'S256',
};

async function parse(
  params: Record<string, string> | string,
  opts: { config?: Record<string, unknown>; client?: Client | null; keys?: KeyInfo[]; source?: ResolvedParams } = {},
) {
  const client = opts.client === null ? undefined : (opts.client ?? clientWith());
  return checkAuthorizationRequest(
    contextWith(opts.config, opts.keys),
    ISSUER,
    depsWith(client, opts.source),
    typeof params === 'string' ? params : query(params),
  );
}

describe('authorisation request checks', () => {
  it('runs the rules from two tables, in this order', () => {
    expect(BEFORE_REDIRECT.map((c) => c.name)).toEqual([
      'checkRequestSize',
      'checkQuery',
      'checkRequestSource',
      'checkClient',
      'checkRedirectUri',
    ]);
    expect(AFTER_REDIRECT.map((c) => c.name)).toEqual([
      'checkRepeatedParams',
      'checkParRequired',
      'checkSignedRequestObject',
      'checkState',
      'checkResponseMode',
      'checkResponseType',
      'checkResponseTypeEnabled',
      'checkClientResponseType',
      'checkModeFitsResponseType',
      'checkResource',
      'checkScope',
      'checkNonce',
      'checkPkce',
      'checkDpopJkt',
      'checkPrompt',
      'checkMaxAge',
      'checkDisplay',
      'checkClaims',
      'checkIdTokenHint',
      'checkHints',
      // the tenant's authorisation request validator (plugin slot), last
      'checkRequestValidator',
    ]);
  });

  it('accepts a good request and records what the rules established', async () => {
    const parsed = await parse(
      {
        ...base,
        scope: 'openid openid',
        state: 'xyz',
        nonce: 'n',
        prompt: 'login',
        max_age: '60',
        display: 'popup',
        login_hint: 'alice',
        acr_values: 'a b',
        claims: '{"userinfo":{"email":null}}',
        dpop_jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
      },
      { client: clientWith({ scope: 'openid' }) },
    );
    expect(parsed).toMatchObject({
      ok: true,
      request: {
        clientId: 'app',
        redirectUri: REDIRECT,
        redirectUriGiven: true,
        responseType: ['code'],
        responseMode: 'query',
        scope: ['openid'],
        state: 'xyz',
        nonce: 'n',
        codeChallenge: CHALLENGE,
        codeChallengeMethod: 'S256',
        dpopJkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
        prompt: ['login'],
        maxAge: 60,
        display: 'popup',
        loginHint: 'alice',
        acrValues: ['a', 'b'],
        claims: { userinfo: { email: null } },
      },
    });
  });

  it('answers the user agent, never the redirect URI, until the client and redirect URI are trusted', async () => {
    const cases: Array<
      [Record<string, string> | string, string, string, { client?: Client | null; source?: ResolvedParams }?]
    > = [
      [`client_id=app&x=${'a'.repeat(64 * 1024)}`, 'invalid_request', 'The request is too large'],
      ['client_id=app&client_id=other&response_type=code', 'invalid_request', 'The client_id parameter is repeated'],
      [
        base,
        'invalid_request_uri',
        'gone',
        { source: { ok: false, error: 'invalid_request_uri', description: 'gone' } },
      ],
      [{ response_type: 'code' }, 'invalid_request', 'Missing client_id'],
      [{ ...base, client_id: 'x'.repeat(256) }, 'invalid_request', 'Invalid client_id'],
      [base, 'invalid_client', 'Unknown client', { client: null }],
      [
        `${query(base)}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
        'invalid_request',
        'The redirect_uri parameter is repeated',
      ],
      [
        { ...base, redirect_uri: 'https://evil.example/cb' },
        'invalid_request',
        'The redirect_uri is not registered for the client',
      ],
      [
        { client_id: 'app', response_type: 'code' },
        'invalid_request',
        'Missing redirect_uri',
        { client: clientWith({ redirect_uris: [REDIRECT, `${REDIRECT}2`] }) },
      ],
    ];
    for (const [params, error, description, opts] of cases) {
      const parsed = await parse(params, opts);
      expect(parsed, description).toEqual({ ok: false, error, description });
    }
  });

  it('redirects every later refusal to the client, with its state and in a usable response mode', async () => {
    const cases: Array<
      [
        Record<string, string>,
        string,
        string,
        { config?: Record<string, unknown>; client?: Client; source?: ResolvedParams }?,
      ]
    > = [
      [{ ...base, prompt: 'none', nonce: 'x' }, 'invalid_request', 'Repeated parameter: nonce'],
      [
        base,
        'invalid_request',
        'PAR required: push the request to the pushed authorisation request endpoint first',
        { config: { requests: { requirePushed: true } } },
      ],
      [
        base,
        'invalid_request',
        'The client must send a signed request object',
        { client: clientWith({ require_signed_request_object: true }) },
      ],
      [{ ...base, state: 'caf\u00e9' }, 'invalid_request', 'Invalid state'],
      [{ ...base, response_mode: 'web_message' }, 'invalid_request', 'Unsupported response_mode'],
      [{ ...base, response_type: '' }, 'invalid_request', 'Missing response_type'],
      [{ ...base, response_type: 'code code' }, 'unsupported_response_type', 'Unsupported response_type'],
      [{ ...base, response_type: 'token' }, 'unsupported_response_type', 'The response type token is not enabled'],
      [
        { ...base, response_type: 'token code' },
        'unauthorized_client',
        'The client is not registered for the response type code token',
        { config: typesOn(['code', 'code token']) },
      ],
      [
        { ...base, response_type: 'code token', response_mode: 'query' },
        'invalid_request',
        'The query response mode is not allowed with this response type',
        { config: typesOn(['code token']), client: clientWith({ response_types: ['code token'] }) },
      ],
      [{ ...base, scope: 'a"b' }, 'invalid_scope', 'The scope contains invalid characters'],
      [
        { ...base, response_type: 'code id_token', scope: 'profile' },
        'invalid_request',
        'The id_token response type needs the openid scope',
        { config: typesOn(['code id_token']), client: clientWith({ response_types: ['code id_token'] }) },
      ],
      [{ ...base, scope: 'openid admin' }, 'invalid_scope', 'The client may not request: admin'],
      [{ ...base, nonce: 'n\u0001' }, 'invalid_request', 'Invalid nonce'],
      [
        { ...base, response_type: 'code id_token', scope: 'openid' },
        'invalid_request',
        'A nonce is required for this response type',
        { config: typesOn(['code id_token']), client: clientWith({ response_types: ['code id_token'] }) },
      ],
      [{ ...base, code_challenge: 'short' }, 'invalid_request', 'Invalid code_challenge'],
      [{ ...base, code_challenge_method: 'plain' }, 'invalid_request', 'Unsupported code_challenge_method plain'],
      [
        { client_id: 'app', response_type: 'code', code_challenge_method: 'S256' },
        'invalid_request',
        'code_challenge_method without code_challenge',
      ],
      [
        { client_id: 'app', response_type: 'code' },
        'invalid_request',
        'PKCE is required: missing code_challenge',
        { client: clientWith({ token_endpoint_auth_method: 'none' }) },
      ],
      [{ ...base, dpop_jkt: 'abc' }, 'invalid_request', 'Invalid dpop_jkt: not a JWK SHA-256 thumbprint'],
      [{ ...base, prompt: 'maybe' }, 'invalid_request', 'Invalid prompt'],
      [{ ...base, prompt: 'none login' }, 'invalid_request', 'prompt=none cannot be combined with other values'],
      [{ ...base, prompt: 'create consent' }, 'invalid_request', 'prompt=create cannot be combined with other values'],
      [{ ...base, max_age: '-1' }, 'invalid_request', 'Invalid max_age'],
      [{ ...base, display: 'tv' }, 'invalid_request', 'Invalid display'],
      [{ ...base, claims: '[1]' }, 'invalid_request', 'The claims parameter must be a JSON object'],
      [{ ...base, id_token_hint: 'not.a.jwt' }, 'invalid_request', 'Invalid id_token_hint'],
      [{ ...base, ui_locales: 'x'.repeat(4097) }, 'invalid_request', 'Invalid ui_locales'],
    ];
    for (const [params, error, description, opts] of cases) {
      const q = description.startsWith('Repeated') ? `${query(params)}&nonce=y` : query(params);
      const parsed = await parse(q, opts);
      expect(parsed, description).toMatchObject({
        ok: false,
        error,
        description,
        target: { clientId: 'app', redirectUri: REDIRECT },
      });
    }
  });

  it('sends errors in the mode asked for when it is usable, else in the default for the response type', async () => {
    const implicit = {
      config: typesOn(['code', 'token']),
      client: clientWith({ grant_types: ['authorization_code', 'implicit'], response_types: ['code', 'token'] }),
    };
    expect(await parse({ ...base, state: 's', prompt: 'bogus', response_mode: 'form_post' })).toMatchObject({
      target: { responseMode: 'form_post', state: 's' },
    });
    expect(await parse({ ...base, prompt: 'bogus', response_mode: 'jwt' })).toMatchObject({
      target: { responseMode: 'query.jwt' },
    });
    expect(await parse({ ...base, response_type: 'token', response_mode: 'nope' }, implicit)).toMatchObject({
      description: 'Unsupported response_mode',
      target: { responseMode: 'fragment' },
    });
    expect(await parse({ ...base, response_type: 'bogus', response_mode: 'nope' })).toMatchObject({
      target: { responseMode: 'query' },
    });
    const noState = await parse({ ...base, state: 'caf\u00e9' });
    expect(noState.ok === false && noState.target?.state).toBe(undefined);
  });

  it('applies the first rule a request breaks', async () => {
    // Bad state, bad scope and bad prompt at once: the state rule comes first.
    expect(await parse({ ...base, state: '\u0001', scope: 'a"b', prompt: 'x' })).toMatchObject({
      description: 'Invalid state',
    });
    expect(await parse({ ...base, scope: 'a"b', prompt: 'x' })).toMatchObject({
      description: 'The scope contains invalid characters',
    });
  });

  it('takes the parameters of a pushed request, and trusts its redirect URI check and PAR rule', async () => {
    const pushed: ResolvedParams = { ok: true, params: { ...base, scope: 'openid' }, source: 'pushed' };
    const parsed = await parse(
      { client_id: 'app', request_uri: 'urn:ietf:params:oauth:request_uri:x', nonce: 'a' },
      { config: { requests: { requirePushed: true } }, source: pushed, client: clientWith({ scope: 'openid' }) },
    );
    expect(parsed).toMatchObject({ ok: true, request: { scope: ['openid'], params: { code_challenge: CHALLENGE } } });
  });

  it('keeps the subject of an id_token_hint this tenant signed for this issuer', async () => {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' } as PublicJwk;
    const now = new Date();
    const key: KeyInfo = {
      kid: 'k1',
      alg: 'EdDSA',
      use: 'sig',
      backend: 'software',
      status: 'active',
      jwk,
      createdAt: now,
      activatedAt: now,
      retiredAt: null,
      revokedAt: null,
    };
    const hint = (iss: string) =>
      new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'EdDSA', kid: 'k1' }).setIssuer(iss).sign(privateKey);
    expect(await parse({ ...base, id_token_hint: await hint(ISSUER) }, { keys: [key] })).toMatchObject({
      ok: true,
      request: { hintSub: 'alice' },
    });
    expect(await parse({ ...base, id_token_hint: await hint('https://other.example') }, { keys: [key] })).toMatchObject(
      { ok: false, description: 'Invalid id_token_hint' },
    );
  });
});
