import { describe, expect, it } from 'vitest';
import { clientCredentialsGrant } from '../../../src/grants/client-credentials.ts';
import { inspectAccessToken } from '../../../src/oauth/token-inspection.ts';
import { claimsRenaming } from '../../../src/plugins/jwt-claims-renaming.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { grantRequest } from '../support/grant-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';
import { verifyWithPublishedKeys } from '../support/published-keys.ts';

// The jwtClaimsCodec slot: the built-in renames claims of JWT access tokens when issued and reverses it when our
// own introspection / UserInfo read them; the webhook shapes them (encode only) and fails closed.

const RENAME = { type: 'builtin', rename: { cid: 'client_id', scp: 'scope' }, scopeFormat: 'string' };
const HOOK = { type: 'webhook', url: 'https://hooks.example.com/codec' };

async function setup(codec: Record<string, unknown> | undefined, config: Record<string, unknown> = {}) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({ ...EC_KEYS, plugins: codec ? { jwtClaimsCodec: codec } : {}, ...config });
  const client = await registerClient(plane, tenant, { clientId: 'svc', metadata: { scope: 'read write' } });
  const token = async () =>
    (await clientCredentialsGrant.handle(grantRequest(plane, tenant, client, { scope: 'read write' }))).access_token;
  const inspect = (jwt: string) => inspectAccessToken(tenant, tenant.tenant.issuer, jwt, plane.deps);
  return { plane, tenant, token, inspect };
}

describe('JWT claims codec slot', () => {
  it('built-in: cid and scp become client_id and a scope string in the token; introspection reads them back', async () => {
    const { plane, tenant, token, inspect } = await setup(RENAME);
    const jwt = await token();
    const { claims } = await verifyWithPublishedKeys(plane, tenant, jwt);
    expect(claims).toMatchObject({ client_id: 'svc', scope: 'read write', sub: 'svc' });
    expect(claims.cid).toBeUndefined();
    expect(claims.scp).toBeUndefined();
    expect(await inspect(jwt)).toMatchObject({ cid: 'svc', scp: ['read', 'write'], sub: 'svc', extra: {} });
    expect(plane.webhooks.calls).toHaveLength(0);
  });

  it('built-in: other claims keep their names; a renamed user claim is read back under its own name', async () => {
    const { plane, tenant, inspect } = await setup({ type: 'builtin', rename: { tier: 'urn:example:tier' } });
    const authz = {
      ...(await import('../../../src/grants/new-authorization.ts')).newAuthorization(tenant.tenant.config, {
        sub: 'alice',
        cid: 'svc',
        scp: ['read'],
        iss: tenant.tenant.issuer,
      }),
      atc: { tier: 'gold' },
    };
    const { access_token } = await plane.deps.oauth.issuer.issue(tenant, authz);
    const { claims } = await verifyWithPublishedKeys(plane, tenant, access_token);
    expect(claims).toMatchObject({ 'urn:example:tier': 'gold', cid: 'svc', scp: ['read'] });
    expect((await inspect(access_token))!.extra).toEqual({ tier: 'gold' });
  });

  it('built-in: compiled once per config object', () => {
    const config = { type: 'builtin' as const, rename: { cid: 'client_id' } };
    expect(claimsRenaming(config)).toBe(claimsRenaming(config));
    expect(claimsRenaming({ ...config })).not.toBe(claimsRenaming(config));
  });

  it('without the slot the claims are as before (c2id profile)', async () => {
    const { plane, tenant, token } = await setup(undefined);
    const { claims } = await verifyWithPublishedKeys(plane, tenant, await token());
    expect(claims).toMatchObject({ cid: 'svc', scp: ['read', 'write'] });
  });

  it('webhook: shapes the claims; the registered claims stay ours; introspection reads the token as written', async () => {
    const { plane, tenant, token, inspect } = await setup(HOOK);
    plane.webhooks.on('jwtClaimsCodec', (call) => {
      const { cid, scp, ...rest } = call.payload.claims as Record<string, unknown>;
      return {
        claims: { ...rest, client_id: cid, scope: (scp as string[]).join(' '), sub: 'forged', exp: 9e9, org: 'acme' },
      };
    });
    const jwt = await token();
    const { claims } = await verifyWithPublishedKeys(plane, tenant, jwt);
    const sent = plane.webhooks.callsOf('jwtClaimsCodec')[0]!.payload.claims as Record<string, unknown>;
    expect(sent).toMatchObject({ cid: 'svc', scp: ['read', 'write'], sub: 'svc' });
    expect(claims).toMatchObject({ client_id: 'svc', scope: 'read write', org: 'acme', sub: 'svc', exp: sent.exp });
    expect(await inspect(jwt)).toMatchObject({ cid: 'svc', scp: ['read', 'write'], extra: { org: 'acme' } });
  });

  it('webhook: fails closed — unreachable, no claims object or no client named is a 503 and no token', async () => {
    const { plane, token } = await setup(HOOK);
    await expect(token()).rejects.toMatchObject({ statusCode: 503, code: 'temporarily_unavailable' });
    for (const answer of [{ claims: 'x' }, { claims: { scope: 'read' } }]) {
      plane.webhooks.on('jwtClaimsCodec', () => answer);
      await expect(token()).rejects.toMatchObject({
        statusCode: 503,
        message: "The tenant's self-contained access token claims codec is unavailable",
      });
    }
  });
});
