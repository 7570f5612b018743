import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

/**
 * openid-client v6 (genericGrantRequest) against a listening data plane:
 * the JWT bearer grant (RFC 7523) with assertions of an issuer the tenant
 * trusts, its keys served by a JWKS server on loopback; token exchange
 * (RFC 8693) with delegation; refusals, replays and another tenant's tokens.
 */
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const AT = 'urn:ietf:params:oauth:token-type:access_token';

describe('token exchange and JWT bearer through openid-client v6', () => {
  let planes: InProcessPlanes;
  let jwksServer: Server;
  let trustedIssuer: string;
  let signingKey: CryptoKey;
  const tenants: Record<'a' | 'b', { issuer: string; batch: oidc.Configuration; api: oidc.Configuration }> =
    {} as never;

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    signingKey = privateKey;
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'hr-1', alg: 'ES256', use: 'sig' }] });
    jwksServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    trustedIssuer = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
    for (const name of ['a', 'b'] as const) {
      const tid = uniqueTid(`tx${name}`);
      const issuer = `${planes.dataPlaneUrl}/${tid}`;
      await planes.createTenant({
        tid,
        name: tid,
        issuer,
        config: {
          grants: {
            grantTypes: ['authorization_code', 'refresh_token', 'client_credentials', JWT_BEARER, TOKEN_EXCHANGE],
          },
          // http for the loopback JWKS server only, as everywhere in the product.
          trustedIssuers: [
            { issuer: trustedIssuer, jwksUri: `${trustedIssuer}/jwks`, algorithms: ['ES256'], uses: ['jwt-bearer'] },
          ],
          tokenExchange: { policies: [{ clients: ['api'], subjectTokenTypes: [AT] }] },
        },
      });
      const client = async (clientId: string, grantTypes: string[]) => {
        const { secret } = await addClient(
          planes.s,
          tid,
          { token_endpoint_auth_method: 'client_secret_basic', grant_types: grantTypes, scope: 'read write' },
          { clientId },
        );
        return oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(secret!), {
          execute: [oidc.allowInsecureRequests],
        });
      };
      tenants[name] = {
        issuer,
        batch: await client('batch', [JWT_BEARER]),
        api: await client('api', [TOKEN_EXCHANGE, 'client_credentials']),
      };
    }
  }, 60_000);
  afterAll(async () => {
    jwksServer?.close();
    await planes?.close();
  });

  const assertion = (audience: string, claims: Record<string, unknown> = {}, key = signingKey, iss = trustedIssuer) =>
    new SignJWT({ jti: crypto.randomUUID(), ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'hr-1' })
      .setIssuer(iss)
      .setSubject('alice')
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(key);

  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => (e instanceof oidc.ResponseBodyError ? e.error : e),
    );

  it('JWT bearer: a trusted issuer’s assertion gets a token for its subject; discovery lists both grants', async () => {
    const { issuer, batch } = tenants.a;
    expect(batch.serverMetadata().grant_types_supported).toEqual(expect.arrayContaining([JWT_BEARER, TOKEN_EXCHANGE]));
    const tokens = await oidc.genericGrantRequest(batch, JWT_BEARER, {
      assertion: await assertion(`${issuer}/token`),
      scope: 'read',
    });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope).toBe('read');
    expect(decodeJwt(tokens.access_token)).toMatchObject({ iss: issuer, sub: 'alice', cid: 'batch', scp: ['read'] });
  });

  it('JWT bearer: an untrusted issuer, a wrong key and a replayed assertion get invalid_grant', async () => {
    const { issuer, batch } = tenants.a;
    const stranger = (await generateKeyPair('ES256')).privateKey;
    expect(
      await refusal(
        oidc.genericGrantRequest(batch, JWT_BEARER, {
          assertion: await assertion(issuer, {}, stranger, 'https://untrusted.example'),
        }),
      ),
    ).toBe('invalid_grant');
    expect(
      await refusal(oidc.genericGrantRequest(batch, JWT_BEARER, { assertion: await assertion(issuer, {}, stranger) })),
    ).toBe('invalid_grant');
    const once = await assertion(issuer);
    await oidc.genericGrantRequest(batch, JWT_BEARER, { assertion: once });
    expect(await refusal(oidc.genericGrantRequest(batch, JWT_BEARER, { assertion: once }))).toBe('invalid_grant');
  });

  it('token exchange with delegation: act in the token and in introspection', async () => {
    const { issuer, batch, api } = tenants.a;
    const subject = await oidc.genericGrantRequest(batch, JWT_BEARER, { assertion: await assertion(issuer) });
    const actor = await oidc.clientCredentialsGrant(api, { scope: 'read' });
    const exchanged = await oidc.genericGrantRequest(api, TOKEN_EXCHANGE, {
      subject_token: subject.access_token,
      subject_token_type: AT,
      actor_token: actor.access_token,
      actor_token_type: AT,
      scope: 'read',
    });
    expect(exchanged).toMatchObject({ issued_token_type: AT, token_type: 'bearer', scope: 'read' });
    expect(decodeJwt(exchanged.access_token)).toMatchObject({ sub: 'alice', cid: 'api', act: { sub: 'api' } });
    const introspection = await oidc.tokenIntrospection(api, exchanged.access_token);
    expect(introspection).toMatchObject({ active: true, sub: 'alice', client_id: 'api', act: { sub: 'api' } });
  });

  it('token exchange refusals: a client without a policy, a bad subject token, another tenant’s token', async () => {
    const { issuer, batch, api } = tenants.a;
    const subject = await oidc.genericGrantRequest(batch, JWT_BEARER, { assertion: await assertion(issuer) });
    // The batch client is not registered for token exchange; api is, but the token is not one of ours.
    expect(
      await refusal(
        oidc.genericGrantRequest(batch, TOKEN_EXCHANGE, {
          subject_token: subject.access_token,
          subject_token_type: AT,
        }),
      ),
    ).toBe('unauthorized_client');
    expect(
      await refusal(oidc.genericGrantRequest(api, TOKEN_EXCHANGE, { subject_token: 'forged', subject_token_type: AT })),
    ).toBe('invalid_grant');
    // Tenant A's access token at tenant B, by a client with the same id and the same policy there.
    expect(
      await refusal(
        oidc.genericGrantRequest(tenants.b.api, TOKEN_EXCHANGE, {
          subject_token: subject.access_token,
          subject_token_type: AT,
        }),
      ),
    ).toBe('invalid_grant');
  });
});
