import { validateTenantConfig } from '@tessera/shared/config/validate-tenant-config';
import { mintIdentifier } from '@tessera/shared/tokens/identifiers';
import { describe, expect, it } from 'vitest';
import { newAuthorization } from '../../../src/grants/new-authorization.ts';
import { inspectAccessToken } from '../../../src/oauth/token-inspection.ts';
import { EC_KEYS } from '../support/clients.ts';
import { memoryPlane } from '../support/memory-plane.ts';

// The identifierTokenCodec slot: a built-in prefix before identifier access tokens; lookups strip it and still
// take bare identifiers issued before the prefix was set. Built-in only: the schema refuses a webhook.

async function setup(plugins: Record<string, unknown>) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({ ...EC_KEYS, tokens: { accessTokenFormat: 'identifier' }, plugins });
  const authz = newAuthorization(tenant.tenant.config, {
    sub: 'alice',
    cid: 'app',
    scp: ['read'],
    iss: tenant.tenant.issuer,
  });
  const inspect = (token: string) => inspectAccessToken(tenant, tenant.tenant.issuer, token, plane.deps);
  return { plane, tenant, authz, inspect };
}

describe('identifier token codec slot', () => {
  it('prefixes identifier access tokens; introspection takes the prefixed token and keys the store by the bare one', async () => {
    const { plane, tenant, authz, inspect } = await setup({
      identifierTokenCodec: { type: 'builtin', prefix: 'tsr_at_' },
    });
    const { access_token } = await plane.deps.oauth.issuer.issue(tenant, authz);
    expect(access_token).toMatch(/^tsr_at_[A-Za-z0-9_-]{43}$/);
    const active = await inspect(access_token);
    expect(active).toMatchObject({ sub: 'alice', kind: 'identifier', identifier: access_token.slice(7) });
    // The bare identifier works too (tokens issued before the prefix was set), a mangled prefix does not.
    expect(await inspect(access_token.slice(7))).toMatchObject({ sub: 'alice' });
    expect(await inspect(`tsr_xx_${access_token.slice(7)}`)).toBeNull();
  });

  it('a bare identifier that happens to start like the prefix is still found', async () => {
    const { plane, tenant, authz, inspect } = await setup({ identifierTokenCodec: { type: 'builtin', prefix: 'a' } });
    let identifier = '';
    while (!identifier.startsWith('a')) identifier = mintIdentifier(tenant.secrets['identifier-hmac'], 'at');
    const now = Math.floor(plane.clock.now() / 1000);
    await plane.ports.accessTokens.put(tenant.tenant.tid, identifier, {
      authz,
      iss: authz.iss,
      iat: now,
      exp: now + 60,
      jti: 'j-1',
    });
    expect(await inspect(identifier)).toMatchObject({ sub: 'alice', identifier });
  });

  it('the slot is built-in only: a webhook config is refused by the config check', () => {
    const result = validateTenantConfig({
      plugins: { identifierTokenCodec: { type: 'webhook', url: 'https://hooks.example.com/codec' } },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.path).join(' ')).toContain('identifierTokenCodec');
  });
});
