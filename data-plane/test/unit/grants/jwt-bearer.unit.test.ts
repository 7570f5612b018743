import { decodeJwt, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { jwtBearerPlane } from '../support/jwt-bearer.ts';

// RFC 7523 §2.1 and §3 on the in-memory ports and clock: each check of the assertion.

const setup = (trusted: Record<string, unknown> = {}) => jwtBearerPlane({ trusted });

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
