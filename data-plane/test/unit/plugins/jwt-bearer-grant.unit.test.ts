import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { HR, jwtBearerPlane } from '../support/jwt-bearer.ts';

// The jwtBearerGrant slot (plugins/jwt-bearer-hook.ts): after Tessera verified the assertion, the handler refuses,
// or maps its claims to the subject (which still meets the issuer's subject rule), a narrower scope and claims.

const HOOK = { type: 'webhook', url: 'https://hooks.example.com/jwt' };

const setup = (subjects: 'as-is' | 'directory' = 'as-is') =>
  jwtBearerPlane({
    trusted: { subjects },
    config: { plugins: { jwtBearerGrant: HOOK } },
    claims: { sub: 'E-1001', email: 'alice@hr.example', iat: undefined },
  });

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
      issuer: HR,
      claims: expect.objectContaining({ iss: HR, sub: 'E-1001', email: 'alice@hr.example', jti: 'a-1' }),
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
