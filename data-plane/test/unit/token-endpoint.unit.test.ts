import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLIENT_AUTH_METHODS } from '../../src/client-auth/index.ts';
import { tokenEndpoint } from '../../src/endpoints/token.ts';
import { GRANTS } from '../../src/grants/index.ts';
import type { TenantContext } from '../../src/tenancy/tenant-context.ts';
import { basicAuthorization } from './support/client-auth-input.ts';
import { EC_KEYS, registerClient } from './support/clients.ts';
import { answerBody, coreRequest, formRequest, runRoute } from './support/core-request.ts';
import { type MemoryPlane, memoryPlane } from './support/memory-plane.ts';

// The token endpoint's declared steps (formBody → authenticateClient → checkGrantType → runGrant → tokenResponse)
// run through the pipeline with the no-store policy, on memoryPlane: no fastify, no sockets.

async function setup(config: Record<string, unknown> = {}) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({ ...EC_KEYS, ...config });
  await registerClient(plane, tenant, {
    clientId: 'svc',
    secret: 'svc-secret',
    metadata: { grant_types: ['client_credentials'], scope: 'read' },
  });
  return { plane, tenant, token: tokenCall(plane, tenant) };
}

function tokenCall(plane: MemoryPlane, tenant: TenantContext) {
  const route = tokenEndpoint.routes(plane.deps)[0]!;
  return (
    form: Record<string, string>,
    headers: Record<string, string> = { authorization: basicAuthorization('svc', 'svc-secret') },
  ) => runRoute(route, formRequest(tenant, '/token', form, headers));
}

describe('token endpoint steps', () => {
  it('answers a grant with its token response, never cached', async () => {
    const { token } = await setup();
    const { answer } = await token({ grant_type: 'client_credentials', scope: 'read' });
    expect(answer).toMatchObject({
      kind: 'json',
      status: 200,
      headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
    });
    expect(answerBody(answer)).toMatchObject({
      token_type: 'Bearer',
      scope: 'read',
      access_token: expect.any(String),
      expires_in: 600,
    });
  });

  it('refuses a body that is not a form, and a missing grant_type', async () => {
    const { plane, tenant, token } = await setup();
    const route = tokenEndpoint.routes(plane.deps)[0]!;
    const json = await runRoute(
      route,
      coreRequest(tenant, {
        path: '/token',
        body: { grant_type: 'client_credentials' },
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(json.answer.status).toBe(400);
    expect(answerBody(json.answer)).toMatchObject({ error: 'invalid_request' });
    const missing = await token({});
    expect(answerBody(missing.answer)).toMatchObject({
      error: 'invalid_request',
      error_description: 'Missing grant_type',
    });
  });

  it('refuses a grant type without a handler, one the tenant does not enable, and one the client did not register', async () => {
    // jwt-bearer has a handler, but this tenant does not enable it.
    const { plane, tenant, token } = await setup({
      grants: { grantTypes: ['authorization_code', 'client_credentials'] },
    });
    for (const grantType of ['urn:ietf:params:oauth:grant-type:jwt-bearer', 'password', 'refresh_token', 'made_up']) {
      const { answer } = await token({ grant_type: grantType });
      expect(answer.status, grantType).toBe(400);
      expect(answerBody(answer), grantType).toMatchObject({ error: 'unsupported_grant_type' });
    }
    await registerClient(plane, tenant, {
      clientId: 'web',
      secret: 'web-secret',
      metadata: { grant_types: ['authorization_code'] },
    });
    const { answer } = await token(
      { grant_type: 'client_credentials' },
      { authorization: basicAuthorization('web', 'web-secret') },
    );
    expect(answerBody(answer)).toMatchObject({
      error: 'unauthorized_client',
      error_description: 'The client is not registered for client_credentials (its grant_types: authorization_code)',
    });
  });

  it('authenticates before it looks at the grant: 401 with the Basic challenge only for Basic', async () => {
    const { tenant, token } = await setup();
    const basic = await token({ grant_type: 'made_up' }, { authorization: basicAuthorization('svc', 'wrong') });
    expect(basic.answer).toMatchObject({
      status: 401,
      headers: { 'www-authenticate': `Basic realm="${tenant.tenant.issuer}"`, 'cache-control': 'no-store' },
    });
    expect(answerBody(basic.answer)).toMatchObject({ error: 'invalid_client' });
    const post = await token({ grant_type: 'client_credentials', client_id: 'svc', client_secret: 'wrong' }, {});
    expect(post.answer.status).toBe(401);
    expect(post.answer.headers['www-authenticate']).toBeUndefined();
  });

  it('advertises the grants the tenant enables and this node can run', async () => {
    const { plane, tenant } = await setup({
      grants: { grantTypes: ['authorization_code', 'password'] },
    });
    const metadata = tokenEndpoint.metadata!(tenant, tenant.tenant.issuer, plane.deps);
    expect(metadata.grant_types_supported).toEqual(['authorization_code', 'password']);
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(Object.keys(CLIENT_AUTH_METHODS));
    const withoutPasswords = { ...plane.deps, oauth: { ...plane.deps.oauth, passwordAuthenticator: undefined } };
    expect(tokenEndpoint.metadata!(tenant, tenant.tenant.issuer, withoutPasswords).grant_types_supported).toEqual([
      'authorization_code',
    ]);
  });

  it('lists implicit only where the tenant enables it with a response type that uses it', async () => {
    const grants = (grantTypes: string[], responseTypes: string[]) =>
      setup({ grants: { grantTypes, responseTypes } }).then(
        ({ plane, tenant }) => tokenEndpoint.metadata!(tenant, tenant.tenant.issuer, plane.deps).grant_types_supported,
      );
    expect(await grants(['authorization_code', 'implicit'], ['code', 'id_token token'])).toEqual([
      'authorization_code',
      'implicit',
    ]);
    expect(await grants(['authorization_code', 'implicit'], ['code'])).toEqual(['authorization_code']);
    expect(await grants(['authorization_code'], ['code'])).toEqual(['authorization_code']);
  });
});

describe('unit test coverage of the registries', () => {
  // A grant or authentication method added to its table without a unit test file of its own fails here.
  // A URN grant type by its last part (urn:ietf:params:oauth:grant-type:token-exchange → token-exchange).
  const file = (dir: string, name: string) =>
    fileURLToPath(new URL(`./${dir}/${name.split(':').pop()!.replace(/_/g, '-')}.unit.test.ts`, import.meta.url));

  it('has a unit test file for every grant', () => {
    expect([...GRANTS.keys()].filter((grantType) => !existsSync(file('grants', grantType)))).toEqual([]);
  });

  it('has a unit test file for every client authentication method', () => {
    expect(Object.keys(CLIENT_AUTH_METHODS).filter((method) => !existsSync(file('client-auth', method)))).toEqual([]);
  });
});
