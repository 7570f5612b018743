import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { jwtBearerGrant } from '../../../src/grants/jwt-bearer.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { grantRequest } from '../support/grant-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';

// The jwtBearerGrant slot (plugins/jwt-bearer-hook.ts): after Tessera verified the assertion, the handler refuses,
// or maps its claims to the subject (which still meets the issuer's subject rule), a narrower scope and claims.

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ISSUER = 'https://hr.example';
const HOOK = { type: 'webhook', url: 'https://hooks.example.com/jwt' };

async function setup(subjects: 'as-is' | 'directory' = 'as-is') {
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
        subjects,
      },
    ],
    plugins: { jwtBearerGrant: HOOK },
  });
  const client = await registerClient(plane, tenant, {
    clientId: 'batch',
    metadata: { grant_types: [GRANT], scope: 'read write' },
  });
  const now = () => Math.floor(plane.clock.now() / 1000);
  let n = 0;
  const assertion = (claims: Record<string, unknown> = {}) =>
    new SignJWT({
      iss: ISSUER,
      sub: 'E-1001',
      aud: tenant.tenant.issuer,
      exp: now() + 120,
      jti: `a-${++n}`,
      email: 'alice@hr.example',
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'hr1' })
      .sign(key.privateKey);
  const grant = async (params: Record<string, string>) =>
    jwtBearerGrant.handle(grantRequest(plane, tenant, client, { grant_type: GRANT, ...params }));
  return { plane, tenant, assertion, grant };
}

describe('JWT bearer grant slot', () => {
  it('gets the verified claims (never the assertion) and maps the subject, narrows the scope, adds claims', async () => {
    const { plane, tenant, assertion, grant } = await setup();
    plane.webhooks.on('jwtBearerGrant', () => ({
      allow: true,
      sub: 'alice',
      scope: ['read', 'admin'],
      claims: { department: 'finance', cid: 'other' },
    }));
    const signed = await assertion();
    const response = await grant({ assertion: signed, scope: 'read write' });
    expect(response.scope).toBe('read');
    const claims = decodeJwt(response.access_token);
    expect(claims).toMatchObject({ sub: 'alice', cid: 'batch', scp: ['read'], department: 'finance' });
    const call = plane.webhooks.callsOf('jwtBearerGrant')[0]!;
    expect(call).toMatchObject({ tid: tenant.tenant.tid, url: HOOK.url });
    expect(call.payload).toEqual({
      client_id: 'batch',
      issuer: ISSUER,
      claims: expect.objectContaining({ iss: ISSUER, sub: 'E-1001', email: 'alice@hr.example', jti: 'a-1' }),
      scope: 'read write',
      audience: [],
    });
    expect(JSON.stringify(call.payload)).not.toContain(signed);
    // An answer of {"allow": true} alone: the assertion's subject and the scope Tessera grants.
    plane.webhooks.on('jwtBearerGrant', () => ({ allow: true }));
    expect(decodeJwt((await grant({ assertion: await assertion() })).access_token)).toMatchObject({
      sub: 'E-1001',
      scp: ['read', 'write'],
    });
  });

  it('the mapped subject meets the issuer’s subject rule (directory)', async () => {
    const { plane, tenant, assertion, grant } = await setup('directory');
    const user = await plane.deps.directory.create(tenant.tenant.tid, { username: 'alice', password: 'pw-pw-pw-pw' });
    plane.webhooks.on('jwtBearerGrant', () => ({ allow: true, sub: 'nobody' }));
    await expect(grant({ assertion: await assertion() })).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'Invalid assertion: the subject is not a user of this tenant',
    });
    // The assertion's E-1001 is no user either: the handler's mapping makes it one.
    plane.webhooks.on('jwtBearerGrant', () => ({ allow: true, sub: user.sub }));
    expect(decodeJwt((await grant({ assertion: await assertion() })).access_token).sub).toBe(user.sub);
  });

  it('refuses with invalid_grant or the error it names; an assertion Tessera refuses never reaches it', async () => {
    const { plane, assertion, grant } = await setup();
    plane.webhooks.on('jwtBearerGrant', () => ({ allow: false, error_description: 'Employee left' }));
    await expect(grant({ assertion: await assertion() })).rejects.toMatchObject({
      statusCode: 400,
      code: 'invalid_grant',
      message: 'Employee left',
    });
    plane.webhooks.on('jwtBearerGrant', () => ({ allow: false, error: 'unauthorized_client' }));
    await expect(grant({ assertion: await assertion() })).rejects.toMatchObject({
      code: 'unauthorized_client',
      message: 'The assertion is not accepted',
    });
    const before = plane.webhooks.callsOf('jwtBearerGrant').length;
    const once = await assertion();
    plane.webhooks.on('jwtBearerGrant', () => ({ allow: true }));
    await grant({ assertion: once });
    await expect(grant({ assertion: once })).rejects.toMatchObject({ code: 'invalid_grant' });
    await expect(grant({ assertion: await assertion({ aud: 'https://elsewhere.example' }) })).rejects.toMatchObject({
      code: 'invalid_grant',
    });
    expect(plane.webhooks.callsOf('jwtBearerGrant')).toHaveLength(before + 1);
  });

  it('fails closed: unreachable, no allow, another error or a malformed member is a 503', async () => {
    const { plane, assertion, grant } = await setup();
    await expect(grant({ assertion: await assertion() })).rejects.toMatchObject({
      statusCode: 503,
      code: 'temporarily_unavailable',
    });
    for (const answer of [
      { sub: 'alice' },
      { allow: false, error: 'invalid_target' },
      { allow: true, sub: 42 },
      { allow: true, scope: { read: true } },
      { allow: true, claims: 'department=finance' },
    ]) {
      plane.webhooks.on('jwtBearerGrant', () => answer);
      await expect(grant({ assertion: await assertion() }), JSON.stringify(answer)).rejects.toMatchObject({
        statusCode: 503,
        code: 'temporarily_unavailable',
        message: "The tenant's jwt bearer assertion grant handler is unavailable",
      });
    }
  });
});
