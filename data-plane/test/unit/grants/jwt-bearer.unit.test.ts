import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { jwtBearerGrant } from '../../../src/grants/jwt-bearer.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { grantRequest } from '../support/grant-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';

// RFC 7523 §2.1 and §3 on the in-memory ports and clock: each check of the assertion.

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ISSUER = 'https://hr.example';

async function setup(trusted: Record<string, unknown> = {}) {
  const plane = memoryPlane();
  const key = await generateKeyPair('ES256');
  const tenant = await plane.tenant({
    ...EC_KEYS,
    grants: { grantTypes: ['authorization_code', GRANT] },
    trustedIssuers: [
      {
        issuer: ISSUER,
        jwks: { keys: [{ ...(await exportJWK(key.publicKey)), kid: 'hr1' }] },
        algorithms: ['ES256'],
        uses: ['jwt-bearer'],
        ...trusted,
      },
    ],
  });
  const client = await registerClient(plane, tenant, {
    clientId: 'batch',
    metadata: { grant_types: [GRANT], scope: 'read write' },
  });
  const now = () => Math.floor(plane.clock.now() / 1000);
  let n = 0;
  /** An assertion of the trusted issuer; `claims` override the good defaults (undefined drops one). */
  const assertion = (claims: Record<string, unknown> = {}, signer = key.privateKey, header = { kid: 'hr1' }) => {
    const all: Record<string, unknown> = {
      iss: ISSUER,
      sub: 'alice',
      aud: tenant.tenant.issuer,
      iat: now(),
      exp: now() + 120,
      jti: `a-${++n}`,
      ...claims,
    };
    for (const [name, value] of Object.entries(all)) if (value === undefined) delete all[name];
    return new SignJWT(all).setProtectedHeader({ alg: 'ES256', ...header }).sign(signer);
  };
  const grant = async (params: Record<string, string>) =>
    jwtBearerGrant.handle(grantRequest(plane, tenant, client, { grant_type: GRANT, ...params }));
  const refusal = (params: Record<string, string>) =>
    grant(params).then(
      () => undefined,
      (e: { code?: string; message?: string }) => ({ error: e.code, error_description: e.message }),
    );
  return { plane, tenant, client, assertion, grant, refusal, now };
}

describe('JWT bearer grant', () => {
  it('issues an access token for the assertion’s subject, to the client, with the scope it may have; no refresh token', async () => {
    const { tenant, assertion, grant } = await setup();
    const response = await grant({ assertion: await assertion(), scope: 'read' });
    expect(response).toMatchObject({ token_type: 'Bearer', scope: 'read' });
    expect(response.refresh_token).toBeUndefined();
    expect(decodeJwt(response.access_token)).toMatchObject({
      iss: tenant.tenant.issuer,
      sub: 'alice',
      cid: 'batch',
      scp: ['read'],
    });
    // The token endpoint URL is an audience too.
    await expect(grant({ assertion: await assertion({ aud: `${tenant.tenant.issuer}/token` }) })).resolves.toBeTruthy();
  });

  it('refuses each bad assertion with invalid_grant, saying why', async () => {
    const { tenant, assertion, refusal, now } = await setup();
    const stranger = await generateKeyPair('ES256');
    const cases: Array<[Promise<string>, string]> = [
      [assertion({ iss: 'https://other.example' }), 'the issuer is not trusted'],
      [assertion({}, stranger.privateKey), 'the JWT is not valid'],
      [assertion({ aud: 'https://elsewhere.example' }), 'the audience is not this issuer or its token endpoint'],
      [
        assertion({ aud: `${tenant.tenant.issuer}/authorize` }),
        'the audience is not this issuer or its token endpoint',
      ],
      [assertion({ exp: undefined }), 'the JWT is not valid'],
      [assertion({ exp: now() - 120 }), 'the JWT expired'],
      [assertion({ exp: now() + 3600 }), 'it expires too far ahead'],
      [assertion({ nbf: now() + 600 }), 'the JWT is not valid'],
      [assertion({ iat: now() + 600 }), 'issued in the future'],
      [assertion({ jti: undefined }), 'no jti'],
      [assertion({ sub: undefined }), 'the JWT is not valid'],
    ];
    for (const [made, why] of cases)
      expect(await refusal({ assertion: await made }), why).toEqual({
        error: 'invalid_grant',
        error_description: `Invalid assertion: ${why}`,
      });
    expect(await refusal({})).toMatchObject({ error: 'invalid_request' });
    expect(await refusal({ assertion: 'not.a.jwt' })).toMatchObject({ error: 'invalid_grant' });
    expect(await refusal({ assertion: await assertion(), scope: 'admin' })).toMatchObject({ error: 'invalid_scope' });
  });

  it('uses a jti once (per issuer), until the assertion expires', async () => {
    const { assertion, grant, refusal } = await setup();
    const once = await assertion({ jti: 'same' });
    await grant({ assertion: once });
    expect(await refusal({ assertion: once })).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid assertion: it was used before',
    });
    expect(await refusal({ assertion: await assertion({ jti: 'same' }) })).toMatchObject({ error: 'invalid_grant' });
  });

  it('an issuer trusted for token exchange only is not trusted here; allowed algorithms only', async () => {
    const only = await setup({ uses: ['token-exchange'] });
    expect(await only.refusal({ assertion: await only.assertion() })).toMatchObject({
      error_description: 'Invalid assertion: the issuer is not trusted',
    });
    const rsaOnly = await setup({ algorithms: ['RS256'] });
    expect(await rsaOnly.refusal({ assertion: await rsaOnly.assertion() })).toMatchObject({
      error_description: 'Invalid assertion: the JWT is not valid',
    });
  });

  it('subjects "directory": the sub must be a user of the tenant', async () => {
    const { plane, tenant, assertion, grant, refusal } = await setup({ subjects: 'directory' });
    expect(await refusal({ assertion: await assertion({ sub: 'nobody' }) })).toMatchObject({
      error_description: 'Invalid assertion: the subject is not a user of this tenant',
    });
    const user = await plane.deps.directory.create(tenant.tenant.tid, { username: 'alice', password: 'pw-pw-pw-pw' });
    const response = await grant({ assertion: await assertion({ sub: user.sub }) });
    expect(decodeJwt(response.access_token).sub).toBe(user.sub);
  });
});
