import { describe, expect, it } from 'vitest';
import { GUESSING_LIMITS } from '../../../src/brakes/guessing-limits.ts';
import { passwordGrant } from '../../../src/grants/password.ts';
import type { PasswordAuthenticator } from '../../../src/ports/password-authenticator.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { grantRequest } from '../support/grant-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';
import { verifyWithPublishedKeys } from '../support/published-keys.ts';

// RFC 6749 §4.3 on the in-memory ports: the user directory (scrypt) or a counting stand-in, and the guessing brake in memory.

/** A password check that knows one account and counts how often it was asked. */
function countingAuthenticator(): PasswordAuthenticator & { checks: number } {
  return {
    checks: 0,
    async authenticate(_tid, username, password) {
      this.checks++;
      return username === 'bob' && password === 'right' ? { sub: 'sub-bob' } : null;
    },
  };
}

async function setup(options: { authenticator?: PasswordAuthenticator; metadata?: Record<string, unknown> } = {}) {
  const plane = memoryPlane(options.authenticator ? { passwordAuthenticator: options.authenticator } : {});
  const tenant = await plane.tenant({
    ...EC_KEYS,
    grants: { grantTypes: ['authorization_code', 'password', 'refresh_token'] },
  });
  const client = await registerClient(plane, tenant, {
    metadata: { grant_types: ['password', 'refresh_token'], scope: 'read write', ...options.metadata },
  });
  const grant = (params: Record<string, string>, ip = '192.0.2.1') =>
    passwordGrant.handle(grantRequest(plane, tenant, client, { grant_type: 'password', ...params }, { ip }));
  return { plane, tenant, client, grant };
}

describe('password grant', () => {
  it('checks the password against the user directory and issues tokens for its subject; the refresh token is transient', async () => {
    const { plane, tenant, grant } = await setup();
    const user = await plane.ports.users.create(tenant.tenant.tid, {
      username: 'alice',
      password: 'correct horse battery',
    });
    const response = await grant({ username: 'alice', password: 'correct horse battery', scope: 'read' });
    expect(Object.keys(response).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'scope',
      'token_type',
    ]);
    const { claims } = await verifyWithPublishedKeys(plane, tenant, response.access_token);
    expect(claims).toMatchObject({
      sub: user.sub,
      cid: 'app',
      scp: ['read'],
      iat: Math.floor(plane.clock.now() / 1000),
    });
    // Self-contained (JWE): no authorisation is persisted for the password grant.
    expect(response.refresh_token!.split('.')).toHaveLength(5);
    expect(await plane.ports.authorizations.find(tenant.tenant.tid, { sub: user.sub })).toEqual([]);
    await expect(grant({ username: 'alice', password: 'wrong horse' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'invalid_grant',
      message: 'Invalid resource owner credentials',
    });
    await expect(grant({ username: 'nobody', password: 'x' })).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'Invalid resource owner credentials',
    });
  });

  it('issues no refresh token to a client not registered for refresh_token', async () => {
    const { grant } = await setup({ authenticator: countingAuthenticator(), metadata: { grant_types: ['password'] } });
    expect((await grant({ username: 'bob', password: 'right' })).refresh_token).toBeUndefined();
  });

  it('applies the scope policy', async () => {
    const { grant } = await setup({ authenticator: countingAuthenticator() });
    await expect(grant({ username: 'bob', password: 'right', scope: 'admin' })).rejects.toMatchObject({
      code: 'invalid_scope',
    });
  });

  it('needs a username and a password, and a confidential client', async () => {
    const authenticator = countingAuthenticator();
    const { grant } = await setup({ authenticator });
    await expect(grant({ username: 'bob' })).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'The password grant needs username and password',
    });
    await expect(grant({ password: 'right' })).rejects.toMatchObject({ code: 'invalid_request' });
    const pub = await setup({ authenticator, metadata: { token_endpoint_auth_method: 'none' } });
    await expect(pub.grant({ username: 'bob', password: 'right' })).rejects.toMatchObject({
      code: 'unauthorized_client',
    });
    expect(authenticator.checks).toBe(0);
  });

  it('is unavailable, and refuses, where no password handler is configured', async () => {
    const { plane, tenant, client } = await setup();
    const deps = { ...plane.deps, oauth: { ...plane.deps.oauth, passwordAuthenticator: undefined } };
    expect(passwordGrant.available!(plane.deps)).toBe(true);
    expect(passwordGrant.available!(deps)).toBe(false);
    await expect(
      passwordGrant.handle({ ...grantRequest(plane, tenant, client, { username: 'a', password: 'b' }), deps }),
    ).rejects.toMatchObject({ code: 'unsupported_grant_type' });
  });

  it('brakes guessing: past the limit for a username from one source, attempts are refused unchecked, with Retry-After', async () => {
    const authenticator = countingAuthenticator();
    const { grant } = await setup({ authenticator });
    const limit = GUESSING_LIMITS.userAtSource.points;
    for (let i = 0; i < limit; i++)
      await expect(grant({ username: 'bob', password: `guess-${i}` })).rejects.toMatchObject({
        message: 'Invalid resource owner credentials',
      });
    expect(authenticator.checks).toBe(limit);

    // Even the right password is not checked now.
    const refusal = grant({ username: 'bob', password: 'right' });
    await expect(refusal).rejects.toMatchObject({
      statusCode: 400,
      code: 'invalid_grant',
      message: expect.stringMatching(/^Too many failed password attempts; try again in \d+ s$/),
    });
    const error = (await refusal.catch((err: unknown) => err)) as { headers: Record<string, string> };
    const retryAfter = Number(error.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(GUESSING_LIMITS.userAtSource.duration);
    expect(authenticator.checks).toBe(limit);

    // The brake is per source: the user elsewhere is not locked out.
    await expect(grant({ username: 'bob', password: 'right' }, '198.51.100.7')).resolves.toMatchObject({
      token_type: 'Bearer',
    });
    expect(authenticator.checks).toBe(limit + 1);
  });

  it('forgives the failures of a username from a source once the right password comes', async () => {
    const authenticator = countingAuthenticator();
    const { grant } = await setup({ authenticator });
    const limit = GUESSING_LIMITS.userAtSource.points;
    for (let i = 0; i < limit - 1; i++)
      await expect(grant({ username: 'bob', password: `guess-${i}` })).rejects.toMatchObject({ code: 'invalid_grant' });
    await expect(grant({ username: 'bob', password: 'right' })).resolves.toMatchObject({ token_type: 'Bearer' });
    for (let i = 0; i < limit - 1; i++)
      await expect(grant({ username: 'bob', password: `again-${i}` })).rejects.toMatchObject({
        message: 'Invalid resource owner credentials',
      });
    await expect(grant({ username: 'bob', password: 'right' })).resolves.toMatchObject({ token_type: 'Bearer' });
  });
});
