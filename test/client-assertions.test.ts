import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * RFC 7523 client assertions (client_secret_jwt, private_key_jwt) are
 * single-use credentials: a `jti` and an `exp` are required, the lifetime is
 * capped at 5 minutes (from now and from `iat`), and a `jti` is accepted once.
 */
describe('client assertions: jti, exp and lifetime', () => {
  let planes: InProcessPlanes;
  let tid: string;
  let issuer: string;
  let secretClient: { clientId: string; secret: string };
  let keyClient: string;
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    tid = uniqueTid('assert');
    issuer = `https://${tid}.example.com`;
    await planes.createTenant({ tid, name: tid, issuer });
    const made = await addClient(planes.s, tid, {
      token_endpoint_auth_method: 'client_secret_jwt',
      grant_types: ['client_credentials'],
    });
    secretClient = { clientId: made.clientId, secret: made.secret! };
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), alg: 'ES256', use: 'sig' };
    keyClient = (
      await addClient(
        planes.s,
        tid,
        { token_endpoint_auth_method: 'private_key_jwt', grant_types: ['client_credentials'], jwks: { keys: [jwk] } },
        { secret: null },
      )
    ).clientId;
  }, 60_000);
  afterAll(async () => planes.close());

  const now = () => Math.floor(Date.now() / 1000);
  const fresh = (): JWTPayload => ({ jti: randomBytes(12).toString('hex'), iat: now(), exp: now() + 60 });

  /** An assertion with exactly `claims` besides iss, sub and aud. */
  const hmacAssertion = (claims: JWTPayload) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(secretClient.clientId)
      .setSubject(secretClient.clientId)
      .setAudience(issuer)
      .sign(new TextEncoder().encode(secretClient.secret));
  const keyAssertion = (claims: JWTPayload) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(keyClient)
      .setSubject(keyClient)
      .setAudience(issuer)
      .sign(privateKey);

  const token = (assertion: string) =>
    planes.dp.app.inject({
      method: 'POST',
      url: '/token',
      headers: { 'tenant-id': tid, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: JWT_BEARER,
        client_assertion: assertion,
      }).toString(),
    });
  const refused = async (assertion: string, says: string) => {
    const res = await token(assertion);
    expect(res.statusCode, res.body).toBe(401);
    expect(res.json()).toMatchObject({ error: 'invalid_client', error_description: expect.stringContaining(says) });
  };

  it('accepts a fresh assertion once and refuses its replay', async () => {
    const assertion = await hmacAssertion(fresh());
    expect((await token(assertion)).statusCode).toBe(200);
    await refused(assertion, 'already used');

    const signed = await keyAssertion(fresh());
    expect((await token(signed)).statusCode).toBe(200);
    await refused(signed, 'already used');
  });

  it('refuses an assertion without jti (it could be replayed while it lives)', async () => {
    const { jti: _, ...claims } = fresh();
    await refused(await hmacAssertion(claims), 'must have a jti claim');
    await refused(await keyAssertion(claims), 'must have a jti claim');
  });

  it('refuses an assertion without exp', async () => {
    const { exp: _, ...claims } = fresh();
    await refused(await hmacAssertion(claims), 'must have an exp claim');
  });

  it('refuses an assertion valid for an hour, and one whose exp is over 5 minutes after its iat', async () => {
    await refused(await hmacAssertion({ ...fresh(), exp: now() + 3600 }), 'must expire within 300 s');
    await refused(await keyAssertion({ ...fresh(), exp: now() + 3600 }), 'must expire within 300 s');
    await refused(await hmacAssertion({ ...fresh(), iat: now() - 600, exp: now() + 60 }), 'of its iat');
    // up to 5 minutes is fine
    expect((await token(await hmacAssertion({ ...fresh(), exp: now() + 300 }))).statusCode).toBe(200);
  });
});
