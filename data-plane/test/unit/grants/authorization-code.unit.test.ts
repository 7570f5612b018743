import { createHash } from 'node:crypto';
import { tokenHash } from '@tessera/shared/tokens/identifiers';
import { describe, expect, it } from 'vitest';
import { authorizationCodeGrant } from '../../../src/grants/authorization-code.ts';
import { refreshTokenGrant } from '../../../src/grants/refresh-token.ts';
import { inspectAccessToken } from '../../../src/oauth/token-inspection.ts';
import { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import { issueCode, pkcePair } from '../support/authorization-code.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { grantRequest } from '../support/grant-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';
import { verifyWithPublishedKeys } from '../support/published-keys.ts';

// RFC 6749 §4.1.3, RFC 7636, OpenID Connect Core §3.1.3 on the in-memory ports; codes made by the front channel's own functions.

const REDIRECT = 'https://app.example/cb';

async function setup(config: Record<string, unknown> = {}) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({
    ...EC_KEYS,
    tokens: { authorizationCodeLifetime: 60, accessTokenLifetime: 600 },
    ...config,
  });
  const client = await registerClient(plane, tenant, {
    metadata: { scope: 'openid profile read', redirect_uris: [REDIRECT, `${REDIRECT}2`] },
  });
  const other = await registerClient(plane, tenant, {
    clientId: 'other',
    metadata: { scope: 'openid profile read', redirect_uris: [REDIRECT, `${REDIRECT}2`] },
  });
  const redeem = (
    params: Record<string, string>,
    options: { client?: typeof client; tenant?: TenantContext; issuer?: string } = {},
  ) =>
    authorizationCodeGrant.handle(
      grantRequest(
        plane,
        options.tenant ?? tenant,
        options.client ?? client,
        { grant_type: 'authorization_code', ...params },
        options,
      ),
    );
  return { plane, tenant, client, other, redeem };
}

const halfSha256 = (value: string) =>
  createHash('sha256').update(value, 'ascii').digest().subarray(0, 16).toString('base64url');

describe('authorization_code grant', () => {
  it('redeems a code for an access token, a persisted refresh token and an ID token bound to the request', async () => {
    const { plane, tenant, client, redeem } = await setup();
    const pkce = pkcePair();
    const issued = await issueCode(plane, tenant, client, {
      redirect_uri: REDIRECT,
      scope: 'openid read',
      nonce: 'n-0S6',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });
    plane.clock.advanceSeconds(10);
    const response = await redeem({ code: issued.code, redirect_uri: REDIRECT, code_verifier: pkce.verifier });
    expect(Object.keys(response).sort()).toEqual([
      'access_token',
      'expires_in',
      'id_token',
      'refresh_token',
      'scope',
      'token_type',
    ]);
    expect(response).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'openid read' });
    const now = Math.floor(plane.clock.now() / 1000);
    const { tid, issuer } = tenant.tenant;

    const access = await verifyWithPublishedKeys(plane, tenant, response.access_token);
    expect(access.claims).toMatchObject({
      iss: issuer,
      sub: 'alice',
      cid: 'app',
      scp: ['openid', 'read'],
      iat: now,
      exp: now + 600,
    });

    const id = await verifyWithPublishedKeys(plane, tenant, response.id_token!);
    expect(id.header).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    expect(id.claims).toMatchObject({
      iss: issuer,
      sub: 'alice',
      aud: 'app',
      nonce: 'n-0S6',
      iat: now,
      exp: now + tenant.tenant.config.tokens.idTokenLifetime,
      auth_time: issued.session.authTime,
      acr: '1',
      amr: ['pwd'],
      sid: tokenHash(issued.sid),
      at_hash: halfSha256(response.access_token),
    });

    // The consent is persisted, and the refresh token points at it.
    const stored = await plane.ports.authorizations.find(tid, { sub: 'alice', cid: 'app' });
    expect(stored).toHaveLength(1);
    const row = await plane.ports.refreshTokens.find(tid, tenant.secrets['identifier-hmac'], response.refresh_token!);
    expect(row).toMatchObject({ authorizationId: stored[0]!.id, rotatedAt: null });
  });

  it('issues no ID token without openid, and answers with the granted scope', async () => {
    const { plane, tenant, client, redeem } = await setup();
    const pkce = pkcePair();
    const { code } = await issueCode(plane, tenant, client, {
      scope: 'read',
      redirect_uri: REDIRECT,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });
    const response = await redeem({ code, redirect_uri: REDIRECT, code_verifier: pkce.verifier });
    expect(response.id_token).toBeUndefined();
    expect(response.scope).toBe('read');
  });

  it('needs the redirect_uri of the request, exactly, and only when the request named one', async () => {
    const { plane, tenant, client, redeem } = await setup();
    const named = await issueCode(plane, tenant, client, { redirect_uri: REDIRECT, scope: 'read' });
    await expect(redeem({ code: named.code, redirect_uri: `${REDIRECT}2` })).rejects.toMatchObject({
      statusCode: 400,
      code: 'invalid_grant',
      message: 'The redirect_uri does not match the authorisation request',
    });
    const omitted = await issueCode(plane, tenant, client, { redirect_uri: REDIRECT, scope: 'read' });
    await expect(redeem({ code: omitted.code })).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'The redirect_uri does not match the authorisation request',
    });

    // A client with one redirect URI may leave it out of both requests.
    const single = await registerClient(plane, tenant, {
      clientId: 'single',
      metadata: { scope: 'read', redirect_uris: [REDIRECT] },
    });
    const implied = await issueCode(plane, tenant, single, { scope: 'read' });
    expect(implied.request.redirectUriGiven).toBe(false);
    await expect(redeem({ code: implied.code }, { client: single })).resolves.toMatchObject({ token_type: 'Bearer' });
  });

  it('checks the PKCE verifier against the challenge (S256), and refuses a verifier the request had no challenge for', async () => {
    const { plane, tenant, client, redeem } = await setup();
    const pkce = pkcePair();
    const query = {
      redirect_uri: REDIRECT,
      scope: 'read',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    };
    const wrong = await issueCode(plane, tenant, client, query);
    await expect(
      redeem({ code: wrong.code, redirect_uri: REDIRECT, code_verifier: pkcePair().verifier }),
    ).rejects.toMatchObject({ code: 'invalid_grant', message: 'PKCE verification failed' });
    const missing = await issueCode(plane, tenant, client, query);
    await expect(redeem({ code: missing.code, redirect_uri: REDIRECT })).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'PKCE verification failed',
    });
    // The challenge itself is not a verifier.
    const echoed = await issueCode(plane, tenant, client, query);
    await expect(
      redeem({ code: echoed.code, redirect_uri: REDIRECT, code_verifier: pkce.challenge }),
    ).rejects.toMatchObject({ message: 'PKCE verification failed' });
    const none = await issueCode(plane, tenant, client, { redirect_uri: REDIRECT, scope: 'read' });
    await expect(
      redeem({ code: none.code, redirect_uri: REDIRECT, code_verifier: pkce.verifier }),
    ).rejects.toMatchObject({ message: 'code_verifier without a code_challenge' });
  });

  it('takes a plain verifier where the tenant allows plain PKCE', async () => {
    const { plane, tenant, client, redeem } = await setup({ authorization: { allowPlainPkce: true } });
    const { verifier } = pkcePair();
    const { code } = await issueCode(plane, tenant, client, {
      redirect_uri: REDIRECT,
      scope: 'read',
      code_challenge: verifier,
      code_challenge_method: 'plain',
    });
    await expect(redeem({ code, redirect_uri: REDIRECT, code_verifier: `${verifier}x` })).rejects.toMatchObject({
      message: 'PKCE verification failed',
    });
    const again = await issueCode(plane, tenant, client, {
      redirect_uri: REDIRECT,
      scope: 'read',
      code_challenge: verifier,
      code_challenge_method: 'plain',
    });
    await expect(redeem({ code: again.code, redirect_uri: REDIRECT, code_verifier: verifier })).resolves.toMatchObject({
      token_type: 'Bearer',
    });
  });

  it('redeems a code once: a replay revokes the tokens it issued (RFC 6749 §4.1.2)', async () => {
    const { plane, tenant, client, redeem } = await setup();
    const { tid, issuer } = tenant.tenant;
    const { code } = await issueCode(plane, tenant, client, { redirect_uri: REDIRECT, scope: 'openid read' });
    const first = await redeem({ code, redirect_uri: REDIRECT });
    expect(await inspectAccessToken(tenant, issuer, first.access_token, plane.deps)).toMatchObject({
      sub: 'alice',
      cid: 'app',
    });

    plane.clock.advanceSeconds(1);
    await expect(redeem({ code, redirect_uri: REDIRECT })).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'The code was already used; the tokens it issued are revoked',
    });
    expect(await plane.ports.authorizations.find(tid, { sub: 'alice', cid: 'app' })).toEqual([]);
    expect(await inspectAccessToken(tenant, issuer, first.access_token, plane.deps)).toBeNull();
    expect(plane.events.ofType('authorization.revoked').map((e) => [e.actor, e.data])).toEqual([
      ['client:app', { client_id: 'app', sub: 'alice', via: 'code_replay' }],
    ]);
    await expect(
      refreshTokenGrant.handle(grantRequest(plane, tenant, client, { refresh_token: first.refresh_token! })),
    ).rejects.toMatchObject({ code: 'invalid_grant' });
  });

  it('spends the code on a failed redemption by its own client: the retry is a replay', async () => {
    const { plane, tenant, client, redeem } = await setup();
    const { code } = await issueCode(plane, tenant, client, { redirect_uri: REDIRECT, scope: 'read' });
    await expect(redeem({ code, redirect_uri: `${REDIRECT}2` })).rejects.toMatchObject({ code: 'invalid_grant' });
    await expect(redeem({ code, redirect_uri: REDIRECT })).rejects.toMatchObject({
      message: 'The code was already used; the tokens it issued are revoked',
    });
  });

  it('expires codes by the clock', async () => {
    const { plane, tenant, client, redeem } = await setup();
    const early = await issueCode(plane, tenant, client, { redirect_uri: REDIRECT, scope: 'read' });
    const late = await issueCode(plane, tenant, client, { redirect_uri: REDIRECT, scope: 'read' });
    plane.clock.advanceSeconds(59);
    await expect(redeem({ code: early.code, redirect_uri: REDIRECT })).resolves.toMatchObject({ token_type: 'Bearer' });
    plane.clock.advanceSeconds(1);
    await expect(redeem({ code: late.code, redirect_uri: REDIRECT })).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'Invalid or expired authorization code',
    });
  });

  it('refuses a code issued to another client, without spending it', async () => {
    const { plane, tenant, client, other, redeem } = await setup();
    const { code } = await issueCode(plane, tenant, client, { redirect_uri: REDIRECT, scope: 'read' });
    await expect(redeem({ code, redirect_uri: REDIRECT }, { client: other })).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'The code was issued to another client',
    });
    await expect(redeem({ code, redirect_uri: REDIRECT })).resolves.toMatchObject({ token_type: 'Bearer' });
  });

  it('refuses a code of another tenant, even one with the same secrets', async () => {
    const { plane, tenant, client, redeem } = await setup();
    const { code } = await issueCode(plane, tenant, client, { redirect_uri: REDIRECT, scope: 'read' });
    const stranger = await plane.tenant(EC_KEYS);
    const strangerClient = await registerClient(plane, stranger, {
      metadata: { scope: 'read', redirect_uris: [REDIRECT] },
    });
    await expect(
      redeem({ code, redirect_uri: REDIRECT }, { tenant: stranger, client: strangerClient }),
    ).rejects.toMatchObject({ code: 'invalid_grant', message: 'Invalid or expired authorization code' });
    // Same HMAC key, other tenant id: the store keeps tenants apart, not only the key.
    const twin = new TenantContext({ ...stranger.tenant }, stranger.keys, [], tenant.secrets);
    await expect(
      redeem({ code, redirect_uri: REDIRECT }, { tenant: twin, client: strangerClient }),
    ).rejects.toMatchObject({ message: 'Invalid or expired authorization code' });
    await expect(redeem({ code, redirect_uri: REDIRECT })).resolves.toMatchObject({ token_type: 'Bearer' });
  });

  it('refuses a code under another issuer than it was issued under', async () => {
    const { plane, tenant, client, redeem } = await setup();
    const { code } = await issueCode(plane, tenant, client, { redirect_uri: REDIRECT, scope: 'read' });
    await expect(redeem({ code, redirect_uri: REDIRECT }, { issuer: 'https://alias.example' })).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'The code was issued under another issuer',
    });
  });

  it('needs a code, and refuses one that is not ours', async () => {
    const { redeem } = await setup();
    await expect(redeem({})).rejects.toMatchObject({
      statusCode: 400,
      code: 'invalid_request',
      message: 'Missing code',
    });
    await expect(redeem({ code: 'forged', redirect_uri: REDIRECT })).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'Invalid or expired authorization code',
    });
  });
});
