import { sha256Hex } from '@tessera/shared/http/api-token';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { authenticateClient } from '../../../src/client-auth/index.ts';
import { registrationEndpoint } from '../../../src/endpoints/registration.ts';
import { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import { assertionParams, clientAssertion } from '../support/client-assertion.ts';
import { basicAuthorization, clientAuthInput } from '../support/client-auth-input.ts';
import { EC_KEYS } from '../support/clients.ts';
import { answerBody, coreRequest, runRoute } from '../support/core-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';

// Dynamic registration with the tenant's client metadata validator, registration interceptor (software statements)
// and client secret codec, through the registration routes on memoryPlane.

const MASTER = 'master-token-master-token-master-token-00';
const WEB = { redirect_uris: ['https://app.example/cb'] };
const HOOK = (path: string) => ({ type: 'webhook', url: `https://hooks.example/${path}` }) as const;

async function setup(plugins: Record<string, unknown>) {
  const plane = memoryPlane();
  const plain = await plane.tenant({ ...EC_KEYS, plugins });
  // The master token is one of the tenant's integration API tokens (only its hash is known).
  const tenant = new TenantContext(plain.tenant, plain.keys, [sha256Hex(MASTER)], plain.secrets);
  const routes = registrationEndpoint.routes(plane.deps);
  const route = (name: string) => routes.find((r) => r.name === name)!;
  const register = async (body: Record<string, unknown>) => {
    const { answer } = await runRoute(
      route('client-registration.register'),
      coreRequest(tenant, { path: '/clients', body, headers: { authorization: `Bearer ${MASTER}` } }),
    );
    return { status: answer.status, body: answerBody(answer) };
  };
  const update = async (clientId: string, body: Record<string, unknown>) => {
    const request = coreRequest(tenant, {
      method: 'PUT',
      path: `/clients/${clientId}`,
      body: { client_id: clientId, ...body },
      headers: { authorization: `Bearer ${MASTER}` },
    });
    const { answer } = await runRoute(route('client-registration.update'), {
      ...request,
      params: { client_id: clientId },
    });
    return { status: answer.status, body: answerBody(answer) };
  };
  return { plane, tenant, register, update };
}

describe('clientMetadataValidator', () => {
  it('built-in: redirect URI hosts and required members, after the standard checks', async () => {
    const { register } = await setup({
      clientMetadataValidator: { type: 'builtin', redirectUriHosts: ['app.example'], requiredMembers: ['contacts'] },
    });
    expect(await register({ redirect_uris: ['https://other.example/cb'], contacts: ['a@app.example'] })).toEqual({
      status: 400,
      body: {
        error: 'invalid_redirect_uri',
        error_description: 'The redirect URI host other.example is not allowed by the tenant',
      },
    });
    expect(await register(WEB)).toMatchObject({
      status: 400,
      body: { error: 'invalid_client_metadata', error_description: expect.stringContaining('contacts') },
    });
    // The standard checks come first: a javascript: URI is theirs to refuse.
    expect((await register({ redirect_uris: ['javascript:alert(1)'] })).body.error).toBe('invalid_redirect_uri');
    expect((await register({ ...WEB, contacts: ['a@app.example'] })).status).toBe(201);
  });

  it('webhook: {metadata, operation} in; the metadata it answers is stored, after the standard checks again', async () => {
    const { plane, tenant, register, update } = await setup({ clientMetadataValidator: HOOK('metadata') });
    plane.webhooks.on('clientMetadataValidator', (call) => {
      const { metadata } = call.payload as { metadata: Record<string, unknown> };
      return { metadata: { ...metadata, client_name: `${call.payload.operation}d by policy` } };
    });
    const created = await register({ ...WEB, client_name: 'Mine' });
    expect(created).toMatchObject({ status: 201, body: { client_name: 'created by policy' } });
    expect(plane.webhooks.callsOf('clientMetadataValidator')[0]!.payload).toMatchObject({
      operation: 'create',
      metadata: {
        redirect_uris: WEB.redirect_uris,
        client_name: 'Mine',
        token_endpoint_auth_method: 'client_secret_basic',
      },
    });
    const clientId = created.body.client_id as string;
    expect((await plane.deps.clientStore.get(tenant.tenant.tid, clientId))!.metadata.client_name).toBe(
      'created by policy',
    );
    const updated = await update(clientId, { ...WEB, client_name: 'Mine' });
    expect(updated).toMatchObject({ status: 200, body: { client_name: 'updated by policy' } });

    // Metadata the standard checks would refuse is refused, whoever shaped it.
    plane.webhooks.on('clientMetadataValidator', () => ({ metadata: { redirect_uris: ['http://app.example/cb'] } }));
    expect(await register(WEB)).toMatchObject({
      status: 400,
      body: {
        error: 'invalid_redirect_uri',
        error_description: expect.stringContaining("the tenant's validator shaped"),
      },
    });
  });

  it('webhook: a refusal is its RFC 7591 error; failure or nonsense is 503 (fail closed), nothing stored', async () => {
    const { plane, register, tenant } = await setup({ clientMetadataValidator: HOOK('metadata') });
    plane.webhooks.on('clientMetadataValidator', () => ({
      error: 'invalid_client_metadata',
      error_description: 'Logo required',
    }));
    expect(await register(WEB)).toEqual({
      status: 400,
      body: { error: 'invalid_client_metadata', error_description: 'Logo required' },
    });
    plane.webhooks.on('clientMetadataValidator', () => ({ error: 'server_error' }));
    expect((await register(WEB)).status).toBe(503);
    plane.webhooks.on('clientMetadataValidator', () => ({ ok: false, failure: 'timeout', detail: 'slow' }));
    expect(await register(WEB)).toMatchObject({ status: 503, body: { error: 'temporarily_unavailable' } });
    expect(await plane.deps.clientStore.list(tenant.tenant.tid)).toEqual([]);
  });
});

describe('registrationInterceptor (software statements)', () => {
  async function statements(required: boolean) {
    const issuerKey = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(issuerKey.publicKey)), kid: 'ss-1', alg: 'ES256' };
    const s = await setup({
      registrationInterceptor: {
        type: 'builtin',
        required,
        issuers: [{ iss: 'https://fed.example', jwks: { keys: [jwk] } }],
      },
    });
    const statement = (claims: Record<string, unknown>, key = issuerKey.privateKey, iss = 'https://fed.example') => {
      const now = Math.floor(s.plane.clock.now() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'ss-1' })
        .setIssuer(iss)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(key);
    };
    return { ...s, statement };
  }

  it('a trusted statement: its claims take precedence over the request members; the statement is kept', async () => {
    const { register, statement } = await statements(false);
    const jwt = await statement({ software_id: 'acme-app', client_name: 'Acme (certified)', scope: 'openid' });
    const created = await register({
      ...WEB,
      client_name: 'Whatever I like',
      software_id: 'mine',
      software_statement: jwt,
    });
    expect(created).toMatchObject({
      status: 201,
      body: { client_name: 'Acme (certified)', software_id: 'acme-app', scope: 'openid', software_statement: jwt },
    });
    expect(created.body.iss).toBeUndefined();
    expect(created.body.exp).toBeUndefined();
  });

  it('refuses: none when required, an untrusted issuer, a bad signature, an expired or malformed statement', async () => {
    const { register, statement, plane } = await statements(true);
    expect(await register(WEB)).toEqual({
      status: 400,
      body: { error: 'invalid_software_statement', error_description: 'The tenant requires a software_statement' },
    });
    expect(
      (await register({ ...WEB, software_statement: await statement({}, undefined, 'https://rogue.example') })).body,
    ).toMatchObject({ error: 'unapproved_software_statement' });
    const stranger = await generateKeyPair('ES256');
    expect(
      (await register({ ...WEB, software_statement: await statement({}, stranger.privateKey) })).body,
    ).toMatchObject({ error: 'invalid_software_statement' });
    const old = await statement({});
    plane.clock.advance(601_000);
    expect((await register({ ...WEB, software_statement: old })).body).toMatchObject({
      error: 'invalid_software_statement',
      error_description: expect.stringContaining('expired'),
    });
    expect((await register({ ...WEB, software_statement: 'not-a-jwt' })).body).toMatchObject({
      error: 'invalid_software_statement',
    });
    expect((await register({ ...WEB, software_statement: await statement({}) })).status).toBe(201);
  });

  it('webhook: {request, operation} in, {request} out (checked as if the client sent it), or an error; fails closed', async () => {
    const { plane, register } = await setup({ registrationInterceptor: HOOK('register') });
    plane.webhooks.on('registrationInterceptor', (call) => ({
      request: { ...(call.payload.request as object), client_name: 'Intercepted' },
    }));
    expect(await register(WEB)).toMatchObject({ status: 201, body: { client_name: 'Intercepted' } });
    expect(plane.webhooks.callsOf('registrationInterceptor')[0]!.payload).toEqual({
      request: WEB,
      operation: 'create',
    });
    plane.webhooks.on('registrationInterceptor', () => ({ request: { redirect_uris: ['not a uri'] } }));
    expect((await register(WEB)).body.error).toBe('invalid_redirect_uri');
    plane.webhooks.on('registrationInterceptor', () => ({
      error: 'unapproved_software_statement',
      error_description: 'Not on the list',
    }));
    expect(await register(WEB)).toEqual({
      status: 400,
      body: { error: 'unapproved_software_statement', error_description: 'Not on the list' },
    });
    plane.webhooks.on('registrationInterceptor', () => ({ ok: false, failure: 'network', detail: 'refused' }));
    expect((await register(WEB)).status).toBe(503);
  });
});

describe('clientSecretCodec', () => {
  it('hashed: only a scrypt hash is stored; the secret is shown once and works for client_secret_basic and _post', async () => {
    const { plane, tenant, register, update } = await setup({
      clientSecretCodec: { type: 'builtin', encoding: 'hashed' },
    });
    const created = await register(WEB);
    expect(created.status).toBe(201);
    const clientId = created.body.client_id as string;
    const secret = created.body.client_secret as string;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = (await plane.deps.clientStore.get(tenant.tenant.tid, clientId))!;
    expect(stored.secret).toBeNull();
    expect(stored.secretHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(stored.secretHash).not.toContain(secret);

    const basic = (s: string) =>
      authenticateClient(
        clientAuthInput(plane, tenant, { headers: { authorization: basicAuthorization(clientId, s) } }),
      );
    await expect(basic(secret)).resolves.toMatchObject({ clientId });
    await expect(basic(secret)).resolves.toMatchObject({ clientId }); // the second time from the per-node cache
    await expect(basic(`${secret}x`)).rejects.toMatchObject({ statusCode: 401, code: 'invalid_client' });
    await expect(
      authenticateClient(clientAuthInput(plane, tenant, { params: { client_id: clientId, client_secret: secret } })),
    ).rejects.toMatchObject({ code: 'invalid_client' }); // registered for basic: post is another method

    // Rotation: the new secret is hashed too; the old one stays valid for the rollover.
    const rotated = await update(clientId, { ...WEB, refresh_client_secret: true, client_secret: secret });
    expect(rotated.status).toBe(200);
    const second = rotated.body.client_secret as string;
    expect(second).not.toBe(secret);
    await expect(basic(second)).resolves.toMatchObject({ clientId });
    await expect(basic(secret)).resolves.toMatchObject({ clientId });
    // An update that names the current secret is checked against the hash.
    expect((await update(clientId, { ...WEB, client_secret: 'wrong' })).body).toMatchObject({
      error: 'invalid_client_metadata',
      error_description: 'client_secret does not match the current client secret',
    });
  });

  it('hashed: client_secret_jwt and HMAC-signed responses are refused at registration; a stored hashed client cannot use client_secret_jwt', async () => {
    const { plane, tenant, register } = await setup({ clientSecretCodec: { type: 'builtin', encoding: 'hashed' } });
    expect((await register({ ...WEB, token_endpoint_auth_method: 'client_secret_jwt' })).body).toEqual({
      error: 'invalid_client_metadata',
      error_description:
        'token_endpoint_auth_method client_secret_jwt needs the client secret itself, and this tenant keeps client secrets hashed',
    });
    expect((await register({ ...WEB, id_token_signed_response_alg: 'HS256' })).body).toMatchObject({
      error: 'invalid_client_metadata',
      error_description: expect.stringContaining('id_token_signed_response_alg HS256'),
    });
    await plane.ports.clientStore.create(tenant.tenant.tid, {
      clientId: 'jwt-client',
      metadata: { ...WEB, token_endpoint_auth_method: 'client_secret_jwt' },
      secret: null,
      secretHash: 'scrypt$16384$8$1$AAAA$BBBB',
      secretExpiresAt: null,
      registrationTokenSha256: null,
    });
    const assertion = await clientAssertion(plane, {
      alg: 'HS256',
      key: new TextEncoder().encode('x'.repeat(32)),
      clientId: 'jwt-client',
      audience: tenant.tenant.issuer,
    });
    await expect(
      authenticateClient(clientAuthInput(plane, tenant, { params: assertionParams(assertion) })),
    ).rejects.toMatchObject({ code: 'invalid_client', message: expect.stringContaining('kept hashed') });
  });

  it('sealed (the default) and secrets sealed before a switch to hashed keep working', async () => {
    const { plane, tenant, register } = await setup({});
    const created = await register(WEB);
    const clientId = created.body.client_id as string;
    expect((await plane.deps.clientStore.get(tenant.tenant.tid, clientId))!.secret).toBe(created.body.client_secret);
    const hashed = new TenantContext(
      {
        ...tenant.tenant,
        config: { ...tenant.tenant.config, plugins: { clientSecretCodec: { type: 'builtin', encoding: 'hashed' } } },
      },
      tenant.keys,
      tenant.apiTokenHashes,
      tenant.secrets,
    );
    const auth = authenticateClient(
      clientAuthInput(plane, hashed, {
        headers: { authorization: basicAuthorization(clientId, created.body.client_secret as string) },
      }),
    );
    await expect(auth).resolves.toMatchObject({ clientId });
  });
});
