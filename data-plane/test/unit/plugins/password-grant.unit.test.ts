import { describe, expect, it } from 'vitest';
import { GUESSING_LIMITS } from '../../../src/brakes/guessing-limits.ts';
import { passwordGrant } from '../../../src/grants/password.ts';
import { verifyPassword } from '../../../src/plugins/password-checks.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { grantRequest } from '../support/grant-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';
import { verifyWithPublishedKeys } from '../support/published-keys.ts';

// The passwordGrant slot (plugins/password-checks.ts): who checks a username and password for the password grant
// and the hosted sign-in page. A webhook answers {sub} or {sub: null}; it fails closed; the guessing brake stays first.

const HOOK = { type: 'webhook', url: 'https://hooks.example.com/password' };

async function setup(plugins: Record<string, unknown> = { passwordGrant: HOOK }) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({
    ...EC_KEYS,
    grants: { grantTypes: ['authorization_code', 'password', 'refresh_token'] },
    plugins,
  });
  const client = await registerClient(plane, tenant, { metadata: { grant_types: ['password'], scope: 'read' } });
  await plane.ports.users.create(tenant.tenant.tid, { username: 'bob', password: 'directory-pass', sub: 'dir-bob' });
  const grant = (params: Record<string, string>, ip = '192.0.2.1') =>
    passwordGrant.handle(grantRequest(plane, tenant, client, { grant_type: 'password', ...params }, { ip }));
  return { plane, tenant, client, grant };
}

describe('password grant slot', () => {
  it('a webhook decides: {sub} signs the subject in, the payload carries the username, password and client', async () => {
    const { plane, tenant, grant } = await setup();
    plane.webhooks.on('passwordGrant', (call) =>
      call.payload.username === 'bob' && call.payload.password === 'hook-pass' ? { sub: 'hook-bob' } : { sub: null },
    );
    const response = await grant({ username: 'bob', password: 'hook-pass', scope: 'read' });
    const { claims } = await verifyWithPublishedKeys(plane, tenant, response.access_token);
    expect(claims).toMatchObject({ sub: 'hook-bob', cid: 'app' });
    expect(plane.webhooks.callsOf('passwordGrant')[0]).toMatchObject({
      url: HOOK.url,
      payload: { username: 'bob', password: 'hook-pass', client_id: 'app' },
    });
    // The directory's password is not the tenant's any more.
    await expect(grant({ username: 'bob', password: 'directory-pass' })).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'Invalid resource owner credentials',
    });
  });

  it('the hosted sign-in page asks the same handler, without a client', async () => {
    const { plane, tenant } = await setup();
    plane.webhooks.on('passwordGrant', () => ({ sub: 'hook-bob' }));
    await expect(
      verifyPassword(plane.deps, tenant, { at: 'sign-in', username: 'bob', password: 'x' }),
    ).resolves.toEqual({
      sub: 'hook-bob',
    });
    expect(plane.webhooks.callsOf('passwordGrant')[0]!.payload).toEqual({ username: 'bob', password: 'x' });
  });

  it('by default the directory checks, and no webhook is called', async () => {
    const { plane, grant } = await setup({});
    await expect(grant({ username: 'bob', password: 'directory-pass' })).resolves.toMatchObject({
      token_type: 'Bearer',
    });
    await expect(grant({ username: 'bob', password: 'hook-pass' })).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(plane.webhooks.calls).toHaveLength(0);
  });

  it("without the slot, a node's own authenticator serves the grant; the sign-in page asks the directory", async () => {
    const plane = memoryPlane({
      passwordAuthenticator: { authenticate: async (_tid, _u, p) => (p === 'node-pass' ? { sub: 'node-bob' } : null) },
    });
    const tenant = await plane.tenant({ ...EC_KEYS });
    await plane.ports.users.create(tenant.tenant.tid, { username: 'bob', password: 'directory-pass', sub: 'dir-bob' });
    const check = (at: 'grant' | 'sign-in', password: string) =>
      verifyPassword(plane.deps, tenant, { at, username: 'bob', password });
    await expect(check('grant', 'node-pass')).resolves.toEqual({ sub: 'node-bob' });
    await expect(check('sign-in', 'node-pass')).resolves.toBeNull();
    await expect(check('sign-in', 'directory-pass')).resolves.toEqual({ sub: 'dir-bob' });
    expect(plane.webhooks.calls).toHaveLength(0);
  });

  it('keeps the guessing brake in front: past the limit the webhook is not asked', async () => {
    const { plane, grant } = await setup();
    plane.webhooks.on('passwordGrant', () => ({ sub: null }));
    const limit = GUESSING_LIMITS.userAtSource.points;
    for (let i = 0; i < limit; i++)
      await expect(grant({ username: 'bob', password: `guess-${i}` })).rejects.toMatchObject({ code: 'invalid_grant' });
    await expect(grant({ username: 'bob', password: 'another' })).rejects.toMatchObject({
      message: expect.stringContaining('Too many failed password attempts'),
    });
    expect(plane.webhooks.callsOf('passwordGrant')).toHaveLength(limit);
  });

  it('fails closed: unreachable, timed out or a nonsense answer is a 503 temporarily_unavailable, never a sign-in', async () => {
    const { plane, grant } = await setup();
    await expect(grant({ username: 'bob', password: 'directory-pass' })).rejects.toMatchObject({
      statusCode: 503,
      code: 'temporarily_unavailable',
    });
    plane.webhooks.on('passwordGrant', () => ({ ok: false, failure: 'timeout', detail: 'no answer in 2000 ms' }));
    await expect(grant({ username: 'bob', password: 'x' })).rejects.toMatchObject({ statusCode: 503 });
    for (const answer of [{}, { sub: 42 }, { sub: '' }, { sub: 'a\u0000b' }]) {
      plane.webhooks.on('passwordGrant', () => answer);
      await expect(grant({ username: 'bob', password: 'x' })).rejects.toMatchObject({
        statusCode: 503,
        code: 'temporarily_unavailable',
        message: "The tenant's password grant handler is unavailable",
      });
    }
  });
});
