import { createHash } from 'node:crypto';
import type { Authorization } from '@tessera/shared/authz/authorization';
import type { Client } from '@tessera/shared/clients/client';
import { localSubjectOf } from '@tessera/shared/tokens/pairwise';
import { compactDecrypt, compactVerify, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { newAuthorization } from '../../../src/grants/new-authorization.ts';
import { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import { type AuthorizationIdTokenRequest, idTokenForAuthorization } from '../../../src/tokens/id-token-issuer.ts';
import { registerClient } from '../support/clients.ts';
import { type MemoryPlane, memoryPlane } from '../support/memory-plane.ts';
import { verifyWithPublishedKeys } from '../support/published-keys.ts';

// tokens/id-token-issuer.ts (OpenID Connect Core §2, §3.1.3.6, §8.1, §10): the one function every flow issues ID tokens with.

/** The tenant defaults for signing (ID tokens RS256), without the RSA encryption key nobody here uses. */
const SIGNING = { keys: { signingAlgorithms: ['RS256', 'ES256', 'EdDSA'], encryptionAlgorithms: [] } };
const SECRET = 'client-secret-for-hmac-and-key-wrap';

/** The left half of a digest of the ASCII value, base64url (Core §3.1.3.6), computed here. */
const half = (hash: 'sha256' | 'sha512', value: string) => {
  const digest = createHash(hash).update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
};

async function setup(config: Record<string, unknown> = {}) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({ ...SIGNING, ...config });
  const authz = (fields: Partial<Authorization> = {}): Authorization =>
    newAuthorization(tenant.tenant.config, {
      sub: 'alice',
      cid: 'app',
      scp: ['openid'],
      iss: tenant.tenant.issuer,
      ...fields,
    });
  const idToken = (client: Client, request: Partial<AuthorizationIdTokenRequest> = {}) =>
    idTokenForAuthorization(tenant, plane.deps, {
      issuer: tenant.tenant.issuer,
      client,
      authz: authz({ cid: client.clientId }),
      ...request,
    });
  return { plane, tenant, authz, idToken };
}

const now = (plane: MemoryPlane) => Math.floor(plane.clock.now() / 1000);

describe('ID tokens', () => {
  it('are signed RS256 by default with a published key, with the registered claims and lifetime by the clock', async () => {
    const { plane, tenant, idToken } = await setup({ tokens: { idTokenLifetime: 120 } });
    const client = await registerClient(plane, tenant);
    const jwt = await idToken(client, {
      nonce: 'n-1',
      authentication: { authTime: now(plane) - 5, acr: 'urn:acr:2', amr: ['pwd', 'otp'] },
      authz: {
        ...newAuthorization(tenant.tenant.config, {
          sub: 'alice',
          cid: 'app',
          scp: ['openid'],
          iss: tenant.tenant.issuer,
        }),
        sid: 'session-hash',
      },
    });
    const { header, claims } = await verifyWithPublishedKeys(plane, tenant, jwt);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: tenant.keys.find((k) => k.alg === 'RS256')!.kid });
    expect(claims).toEqual({
      iss: tenant.tenant.issuer,
      sub: 'alice',
      aud: 'app',
      iat: now(plane),
      exp: now(plane) + 120,
      auth_time: now(plane) - 5,
      nonce: 'n-1',
      acr: 'urn:acr:2',
      amr: ['pwd', 'otp'],
      sid: 'session-hash',
    });
  });

  it('take the authorisation’s lifetime when it has one', async () => {
    const { plane, tenant, authz, idToken } = await setup();
    const client = await registerClient(plane, tenant);
    const claims = decodeJwt(await idToken(client, { authz: authz({ idToken: { lifetime: 30 } }) }));
    expect(claims.exp! - claims.iat!).toBe(30);
  });

  it('hash the access token, code and state with the digest of their algorithm', async () => {
    const { plane, tenant, idToken } = await setup();
    const rs = await registerClient(plane, tenant, { clientId: 'rs' });
    const ed = await registerClient(plane, tenant, {
      clientId: 'ed',
      metadata: { id_token_signed_response_alg: 'EdDSA' },
    });
    const values = { accessToken: 'at-value', code: 'code-value', state: 'state-value' };
    expect(decodeJwt(await idToken(rs, values))).toMatchObject({
      at_hash: half('sha256', 'at-value'),
      c_hash: half('sha256', 'code-value'),
      s_hash: half('sha256', 'state-value'),
    });
    const edToken = await idToken(ed, values);
    expect(decodeProtectedHeader(edToken).alg).toBe('EdDSA');
    // Ed25519 pairs with SHA-512 (OpenID Connect errata).
    expect(decodeJwt(edToken)).toMatchObject({
      at_hash: half('sha512', 'at-value'),
      c_hash: half('sha512', 'code-value'),
    });
  });

  it('are signed with the algorithm the client registered, HS256 with its secret', async () => {
    const { plane, tenant, idToken } = await setup();
    const es = await registerClient(plane, tenant, {
      clientId: 'es',
      metadata: { id_token_signed_response_alg: 'ES256' },
    });
    expect((await verifyWithPublishedKeys(plane, tenant, await idToken(es))).header.alg).toBe('ES256');
    const hs = await registerClient(plane, tenant, {
      clientId: 'hs',
      secret: SECRET,
      metadata: { id_token_signed_response_alg: 'HS256' },
    });
    const { payload, protectedHeader } = await compactVerify(await idToken(hs), new TextEncoder().encode(SECRET));
    expect(protectedHeader.alg).toBe('HS256');
    expect(JSON.parse(Buffer.from(payload).toString())).toMatchObject({ aud: 'hs', sub: 'alice' });
    const explicit = await registerClient(plane, tenant, {
      clientId: 'typed',
      metadata: { id_token_explicit_typ: true },
    });
    expect(decodeProtectedHeader(await idToken(explicit)).typ).toBe('id_token+jwt');
  });

  it('refuse unsigned ID tokens, and HMAC without a secret', async () => {
    const { plane, tenant, idToken } = await setup();
    const unsigned = await registerClient(plane, tenant, {
      clientId: 'none',
      metadata: { id_token_signed_response_alg: 'none' },
    });
    await expect(idToken(unsigned)).rejects.toMatchObject({ statusCode: 400, code: 'invalid_client_metadata' });
    const secretless = await registerClient(plane, tenant, {
      clientId: 'nosecret',
      secret: null,
      metadata: { id_token_signed_response_alg: 'HS256' },
    });
    await expect(idToken(secretless)).rejects.toMatchObject({ code: 'invalid_client_metadata' });
  });

  it('sign with the key active by the clock', async () => {
    const { plane, tenant, authz } = await setup();
    const client = await registerClient(plane, tenant, { metadata: { id_token_signed_response_alg: 'ES256' } });
    const [next] = await plane.ports.keyStore.generate(tenant.tenant.tid, [{ alg: 'ES256', rsaKeySize: 2048 }], {
      activateAt: new Date(plane.clock.now() + 60_000),
    });
    const context = new TenantContext(tenant.tenant, plane.ports.keyStore.keys(tenant.tenant.tid), [], tenant.secrets);
    const sign = () =>
      idTokenForAuthorization(context, plane.deps, { issuer: tenant.tenant.issuer, client, authz: authz() });
    expect(decodeProtectedHeader(await sign()).kid).not.toBe(next!.kid);
    plane.clock.advanceSeconds(60);
    expect(decodeProtectedHeader(await sign()).kid).toBe(next!.kid);
  });

  it('give pairwise clients a subject of their sector: the same across its clients, another in another sector, reversible only by the tenant', async () => {
    const { plane, tenant, authz, idToken } = await setup();
    const pairwise = (clientId: string, host: string) =>
      registerClient(plane, tenant, {
        clientId,
        metadata: { subject_type: 'pairwise', redirect_uris: [`https://${host}/cb`] },
      });
    const a1 = await pairwise('a1', 'a.example');
    const a2 = await pairwise('a2', 'a.example');
    const b = await pairwise('b', 'b.example');
    const subOf = async (client: Client) =>
      decodeJwt(await idToken(client, { authz: authz({ cid: client.clientId, act: { sub: 'helpdesk' } }) }));
    const [t1, t2, t3] = [await subOf(a1), await subOf(a2), await subOf(b)];
    expect(t1.sub).not.toBe('alice');
    expect(t1.sub).toBe(t2.sub);
    expect(t3.sub).not.toBe(t1.sub);
    expect(localSubjectOf(tenant.secrets['subject-enc'], 'a.example', t1.sub!)).toBe('alice');
    expect(localSubjectOf(tenant.secrets['subject-enc'], 'b.example', t1.sub!)).toBeNull();
    // The actor is made pairwise too.
    expect((t1.act as { sub: string }).sub).not.toBe('helpdesk');
    expect(localSubjectOf(tenant.secrets['subject-enc'], 'a.example', (t1.act as { sub: string }).sub)).toBe(
      'helpdesk',
    );
  });

  it('carry the session claims, the preset claims and the consented claims from the directory; registered claims win', async () => {
    const { plane, tenant, authz, idToken } = await setup();
    const user = await plane.ports.users.create(tenant.tenant.tid, {
      username: 'alice',
      password: 'irrelevant-here',
      claims: { email: 'alice@example.com', name: 'Alice' },
    });
    const client = await registerClient(plane, tenant);
    const consented = authz({
      sub: user.sub,
      clm: ['id_token:email', 'name'],
      idp: { department: 'R&D', iss: 'https://evil.example' },
    });
    const claims = decodeJwt(
      await idToken(client, { authz: consented, authentication: { claims: { ip: '192.0.2.1' } } }),
    );
    expect(claims).toMatchObject({
      sub: user.sub,
      email: 'alice@example.com',
      department: 'R&D',
      ip: '192.0.2.1',
      iss: tenant.tenant.issuer,
    });
    // A plain name goes to UserInfo while an access token is issued to fetch it with …
    expect(claims.name).toBeUndefined();
    // … and into the ID token when none is (response_type=id_token).
    expect(decodeJwt(await idToken(client, { authz: consented, claimsInIdToken: true })).name).toBe('Alice');
  });

  it('are encrypted to the client where it registered it: to its public key, or with a key from its secret', async () => {
    const { plane, tenant, idToken } = await setup();
    const { publicKey, privateKey } = await generateKeyPair('ECDH-ES+A128KW');
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'enc-1', use: 'enc', alg: 'ECDH-ES+A128KW' }] };
    const toKey = await registerClient(plane, tenant, {
      clientId: 'enc',
      metadata: { jwks, id_token_encrypted_response_alg: 'ECDH-ES+A128KW' },
    });
    const jwe = await idToken(toKey);
    expect(decodeProtectedHeader(jwe)).toMatchObject({
      alg: 'ECDH-ES+A128KW',
      enc: 'A128CBC-HS256',
      cty: 'JWT',
      kid: 'enc-1',
    });
    const inner = Buffer.from((await compactDecrypt(jwe, privateKey)).plaintext).toString('ascii');
    expect((await verifyWithPublishedKeys(plane, tenant, inner)).claims).toMatchObject({ aud: 'enc', sub: 'alice' });

    const withSecret = await registerClient(plane, tenant, {
      clientId: 'kw',
      secret: SECRET,
      metadata: { id_token_encrypted_response_alg: 'A128KW', id_token_encrypted_response_enc: 'A256GCM' },
    });
    const wrapped = await idToken(withSecret);
    // OpenID Connect Core §10.2: the key is the left 128 bits of SHA-256 of the secret.
    const key = new Uint8Array(createHash('sha256').update(SECRET).digest().subarray(0, 16));
    const { protectedHeader, plaintext } = await compactDecrypt(wrapped, key);
    expect(protectedHeader).toMatchObject({ alg: 'A128KW', enc: 'A256GCM' });
    expect((await verifyWithPublishedKeys(plane, tenant, Buffer.from(plaintext).toString('ascii'))).claims.aud).toBe(
      'kw',
    );
  });
});
