import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { basicAuth } from './support/issuer-http.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Grants the config schema names that have no handler: never advertised, always unsupported_grant_type. */
const UNBUILT = ['urn:openid:params:grant-type:ciba', 'urn:ietf:params:oauth:grant-type:saml2-bearer'];
const REDIRECT = 'https://app.example.com/cb';

/** How each endpoint the metadata may name is called: a member this table lacks fails the test until it is added. */
const ENDPOINT_METHODS: Record<string, 'GET' | 'POST'> = {
  authorization_endpoint: 'GET',
  token_endpoint: 'POST',
  userinfo_endpoint: 'GET',
  jwks_uri: 'GET',
  registration_endpoint: 'POST',
  introspection_endpoint: 'POST',
  revocation_endpoint: 'POST',
  end_session_endpoint: 'GET',
  pushed_authorization_request_endpoint: 'POST',
  device_authorization_endpoint: 'POST',
  check_session_iframe: 'GET',
};

/**
 * Discovery lists exactly what works: every endpoint it names answers
 * (never 404), every grant it lists gets past the token endpoint's grant
 * check (no unsupported_grant_type), every response type, response mode and
 * prompt it lists is accepted by the authorisation endpoint, and what is not
 * built or not enabled for the tenant is neither listed nor accepted.
 */
describe('discovery lists exactly what works', () => {
  let planes: InProcessPlanes;
  const t: Record<'all' | 'plain', { tid: string; issuer: string; metadata: Record<string, unknown> }> = {} as never;
  let client: { clientId: string; secret: string };

  const token = (issuer: string, body: Record<string, string>) =>
    fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuth(client.clientId, client.secret),
      },
      body: new URLSearchParams(body).toString(),
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }));

  /** The authorisation endpoint's verdict on a request: the login page (200), or the error it redirected with. */
  const authorize = async (extra: Record<string, string>) => {
    const query = new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 'st',
      nonce: 'n',
      code_challenge: createHash('sha256').update('v'.repeat(43)).digest('base64url'),
      code_challenge_method: 'S256',
      response_type: 'code',
      ...extra,
    });
    const res = await fetch(`${t.all.issuer}/login?${query}`, { redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status === 200 || !location) return { status: res.status, error: undefined };
    // The error is in the query or the fragment, or inside a JARM response (then the page is enough to know it was accepted).
    const at = new URL(location);
    const params = new URLSearchParams(at.hash ? at.hash.slice(1) : at.search);
    return { status: res.status, error: params.get('error') ?? undefined };
  };

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    const configs = {
      all: {
        grants: {
          grantTypes: [
            'authorization_code',
            'implicit',
            'refresh_token',
            'password',
            'client_credentials',
            DEVICE,
            EXCHANGE,
            JWT_BEARER,
          ],
          responseTypes: [
            'code',
            'id_token',
            'token',
            'id_token token',
            'code id_token',
            'code token',
            'code id_token token',
          ],
        },
      },
      plain: {},
    };
    for (const who of ['all', 'plain'] as const) {
      const tid = uniqueTid(`disc-${who}`);
      const issuer = `${planes.dataPlaneUrl}/${tid}`;
      await planes.createTenant({ tid, name: tid, issuer, config: configs[who] });
      const res = await fetch(`${issuer}/.well-known/openid-configuration`);
      expect(res.status).toBe(200);
      t[who] = { tid, issuer, metadata: (await res.json()) as Record<string, unknown> };
    }
    client = (await addClient(planes.s, t.all.tid, {
      redirect_uris: [REDIRECT],
      grant_types: configs.all.grants.grantTypes,
      response_types: configs.all.grants.responseTypes,
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid profile',
    })) as { clientId: string; secret: string };
    // The plain tenant's client, under the same id: only the tenant differs.
    await addClient(
      planes.s,
      t.plain.tid,
      {
        redirect_uris: [REDIRECT],
        grant_types: configs.all.grants.grantTypes,
        token_endpoint_auth_method: 'client_secret_basic',
      },
      { clientId: client.clientId, secret: client.secret },
    );
  }, 90_000);
  afterAll(async () => planes?.close());

  it('names only endpoints that answer, all under the issuer', async () => {
    for (const who of ['all', 'plain'] as const) {
      const { issuer, metadata } = t[who];
      const named = Object.keys(metadata).filter(
        (k) => k.endsWith('_endpoint') || k === 'jwks_uri' || k.endsWith('_iframe'),
      );
      expect(
        named.filter((k) => !(k in ENDPOINT_METHODS)),
        'endpoints this test does not know',
      ).toEqual([]);
      for (const member of named) {
        const url = metadata[member] as string;
        expect(url.startsWith(`${issuer}/`), member).toBe(true);
        const method = ENDPOINT_METHODS[member]!;
        const res = await fetch(url, {
          method,
          redirect: 'manual',
          ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' } : {}),
        });
        expect(res.status, `${method} ${member}`).not.toBe(404);
        expect(res.status, `${method} ${member}`).toBeLessThan(500);
      }
    }
    expect(t.all.metadata.device_authorization_endpoint).toBe(`${t.all.issuer}/device-authz`);
    expect(t.plain.metadata.device_authorization_endpoint).toBeUndefined();
  });

  it('lists every grant that gets past the grant check, and only those', async () => {
    const listed = t.all.metadata.grant_types_supported as string[];
    expect([...listed].sort()).toEqual(
      [
        'authorization_code',
        'implicit',
        'refresh_token',
        'password',
        'client_credentials',
        DEVICE,
        EXCHANGE,
        JWT_BEARER,
      ].sort(),
    );
    for (const grant of listed.filter((g) => g !== 'implicit')) {
      const answer = await token(t.all.issuer, { grant_type: grant });
      expect(answer.body.error, grant).not.toBe('unsupported_grant_type');
      expect(answer.status, grant).toBeLessThan(500);
    }
    for (const grant of UNBUILT) expect(listed).not.toContain(grant);
    // Implicit is the authorisation endpoint's (its response types are checked below), never the token endpoint's.
    for (const grant of [...UNBUILT, 'implicit', 'urn:example:made-up'])
      expect((await token(t.all.issuer, { grant_type: grant })).body.error, grant).toBe('unsupported_grant_type');
    // The default tenant lists its own three and refuses the ones it did not enable.
    expect([...(t.plain.metadata.grant_types_supported as string[])].sort()).toEqual(
      ['authorization_code', 'client_credentials', 'refresh_token'].sort(),
    );
    for (const grant of [DEVICE, EXCHANGE, JWT_BEARER, 'password'])
      expect((await token(t.plain.issuer, { grant_type: grant })).body.error, grant).toBe('unsupported_grant_type');
  });

  it('lists response types, response modes and prompt values the authorisation endpoint accepts', async () => {
    const m = t.all.metadata;
    expect(m.response_types_supported).toEqual(
      expect.arrayContaining(['code', 'id_token token', 'code id_token token']),
    );
    for (const responseType of m.response_types_supported as string[]) {
      const verdict = await authorize({ response_type: responseType });
      expect(verdict, responseType).toEqual({ status: 200, error: undefined });
    }
    expect((await authorize({ response_type: 'code' })).status).toBe(200);
    for (const mode of m.response_modes_supported as string[]) {
      const verdict = await authorize({ response_mode: mode });
      expect(verdict, mode).toEqual({ status: 200, error: undefined });
    }
    for (const prompt of m.prompt_values_supported as string[]) {
      // Understood (the login page, or login_required for prompt=none without a session), never a bad request.
      expect((await authorize({ prompt })).error, prompt).not.toBe('invalid_request');
    }
    expect((await authorize({ prompt: 'none' })).error).toBe('login_required');
    // The plain tenant: code only.
    expect(t.plain.metadata.response_types_supported).toEqual(['code']);
  });
});
