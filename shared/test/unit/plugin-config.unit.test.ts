import { describe, expect, it } from 'vitest';
import { validateTenantConfig } from '../../src/config/validate-tenant-config.ts';
import { signatureHeader, verifySignature } from '../../src/plugins/signature.ts';
import { SLOTS } from '../../src/plugins/slots/index.ts';

const problems = (config: unknown) => {
  const result = validateTenantConfig(config);
  return result.ok ? [] : result.errors;
};

describe('plugin slots in the tenant config', () => {
  it("defines Connect2id's 22 integration interfaces, each with a documented failure rule", () => {
    expect(SLOTS).toHaveLength(22);
    expect(new Set(SLOTS.map((s) => s.name)).size).toBe(22);
    for (const slot of SLOTS) expect(['open', 'closed']).toContain(slot.failure);
  });

  it('accepts a webhook on https (and on http for localhost) and the built-ins', () => {
    const result = validateTenantConfig({
      plugins: {
        claimsSource: { type: 'webhook', url: 'https://hooks.example.com/claims', timeoutMs: 800 },
        authorizationRequestValidator: { type: 'webhook', url: 'http://127.0.0.1:9000/validate' },
        tokenExchangeGrant: { type: 'webhook', url: 'https://hooks.example.com/tx', timeoutMs: 1500 },
        jwtBearerGrant: { type: 'webhook', url: 'https://hooks.example.com/jwt-bearer' },
        jwtClaimsCodec: { type: 'builtin', rename: { cid: 'client_id', scp: 'scope' }, scopeFormat: 'string' },
        introspectionComposer: { type: 'builtin', scopesByResourceServer: { api: ['read'] } },
        passwordGrant: {
          type: 'ldap',
          url: 'ldaps://ldap.example.com',
          baseDn: 'ou=people,dc=example,dc=com',
          claims: { email: 'mail' },
        },
      },
      events: { endpoints: [{ url: 'https://hooks.example.com/events', types: ['token.issued'] }] },
    });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.config.plugins.passwordGrant).toMatchObject({ userFilter: '(uid={username})' });
  });

  it('refuses an unknown slot, a non-https URL, a malformed mapping and a slot the product cannot run, each by path', () => {
    expect(
      problems({
        plugins: {
          claimSource: { type: 'webhook', url: 'https://hooks.example.com' },
          claimsSource: { type: 'webhook', url: 'http://hooks.example.com/claims' },
          jwtClaimsCodec: { type: 'builtin', rename: { cid: 'client_id', azp: 'client_id', exp: 'expires' } },
          samlBearerGrant: { type: 'webhook', url: 'https://hooks.example.com/saml' },
        },
        events: { endpoints: [{ url: 'ftp://hooks.example.com', types: ['token.issued'] }] },
      }),
    ).toEqual([
      { path: '$.plugins.claimSource', message: 'unexpected property' },
      { path: '$.plugins.claimsSource.url', message: 'must be an https URL (http only for localhost)' },
      { path: '$.plugins.jwtClaimsCodec.rename.azp', message: 'cid is renamed to client_id too' },
      { path: '$.plugins.jwtClaimsCodec.rename.exp', message: 'the registered claim exp is not renamed' },
      {
        path: '$.plugins.samlBearerGrant',
        message: 'the SAML 2.0 bearer assertion grant handler slot is not available yet: its grant is not built yet',
      },
      { path: '$.events.endpoints[0].url', message: 'must be an https URL (http only for localhost)' },
    ]);
    const mapping = problems({
      plugins: { claimsSource: { type: 'ldap', url: 'ldaps://x', baseDn: 'dc=x', claims: { email: '(mail)' } } },
    });
    expect(mapping.map((p) => p.path)).toContain('$.plugins.claimsSource');
  });

  it('refuses the grants that have no handler yet', () => {
    expect(problems({ grants: { grantTypes: ['authorization_code', 'urn:openid:params:grant-type:ciba'] } })).toEqual([
      {
        path: '$.grants.grantTypes[1]',
        message: 'the grant type urn:openid:params:grant-type:ciba is not available yet',
      },
    ]);
  });
});

describe('Tessera-Signature', () => {
  it('verifies its own signature within the tolerance and nothing else', () => {
    const header = signatureHeader('s3cret', '{"a":1}', 1_000_000);
    expect(verifySignature('s3cret', '{"a":1}', header, 1_000_100)).toBe(true);
    expect(verifySignature('s3cret', '{"a":2}', header, 1_000_100)).toBe(false);
    expect(verifySignature('other', '{"a":1}', header, 1_000_100)).toBe(false);
    expect(verifySignature('s3cret', '{"a":1}', header, 1_000_400)).toBe(false);
    expect(verifySignature('s3cret', '{"a":1}', undefined, 1_000_000)).toBe(false);
  });
});
