import { describe, expect, it } from 'vitest';
import { validateTenantConfig } from '../../src/config/validate-tenant-config.ts';

// The `ldap` built-in of the claims source and password slots (slots/ldap-source.ts, plugin-checks.ts ldapRules).

const problems = (ldap: Record<string, unknown>) => {
  const result = validateTenantConfig({
    plugins: { passwordGrant: { type: 'ldap', baseDn: 'ou=people,dc=example,dc=com', ...ldap } },
  });
  return result.ok ? [] : result.errors;
};

describe('LDAP slot config', () => {
  it('accepts ldaps anywhere, ldap on loopback, a service account with its secret, and fills the defaults', () => {
    const result = validateTenantConfig({
      plugins: {
        passwordGrant: {
          type: 'ldap',
          url: 'ldaps://ldap.example.com:636',
          bindDn: 'cn=reader,dc=example,dc=com',
          bindPasswordSecret: 'ldap-reader',
          baseDn: 'ou=people,dc=example,dc=com',
          userFilter: '(&(objectClass=inetOrgPerson)(|(uid={username})(mail={username})))',
        },
        claimsSource: { type: 'ldap', url: 'ldap://127.0.0.1:3389/', baseDn: 'dc=example,dc=com' },
      },
    });
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(result.config.plugins.claimsSource).toEqual({
        type: 'ldap',
        url: 'ldap://127.0.0.1:3389/',
        baseDn: 'dc=example,dc=com',
        userFilter: '(uid={username})',
        subjectAttribute: 'uid',
        claims: {},
        timeoutMs: 2000,
      });
  });

  it('refuses plain ldap off loopback and a URL carrying a DN or filter', () => {
    expect(problems({ url: 'ldap://ldap.example.com' })).toEqual([
      { path: '$.plugins.passwordGrant.url', message: 'must be an ldaps URL (ldap only for localhost)' },
    ]);
    expect(problems({ url: 'ldaps://ldap.example.com/dc=example,dc=com??sub?(uid=*)' })).toEqual([
      { path: '$.plugins.passwordGrant.url', message: 'must be ldaps://host[:port] (no DN, attributes or filter)' },
    ]);
  });

  it('refuses a filter without {username} or not one parenthesised filter', () => {
    expect(problems({ url: 'ldaps://x', userFilter: '(uid=alice)' })).toEqual([
      { path: '$.plugins.passwordGrant.userFilter', message: 'must contain {username}' },
    ]);
    for (const userFilter of ['uid={username}', '(uid={username})(cn=x)', '(uid={username}))', '((uid={username})'])
      expect(problems({ url: 'ldaps://x', userFilter })).toEqual([
        {
          path: '$.plugins.passwordGrant.userFilter',
          message: 'must be one parenthesised filter, e.g. (uid={username})',
        },
      ]);
  });

  it('refuses a service account without its secret and the reverse, a bad secret name, a claim the server sets', () => {
    expect(problems({ url: 'ldaps://x', bindDn: 'cn=r,dc=x' })).toEqual([
      {
        path: '$.plugins.passwordGrant.bindDn',
        message: 'needs bindPasswordSecret (the tenant secret with its password)',
      },
    ]);
    expect(problems({ url: 'ldaps://x', bindPasswordSecret: 'reader' })).toEqual([
      { path: '$.plugins.passwordGrant.bindPasswordSecret', message: 'needs bindDn' },
    ]);
    expect(problems({ url: 'ldaps://x', bindDn: 'cn=r', bindPasswordSecret: 'Reader!' }).map((p) => p.path)).toEqual([
      '$.plugins.passwordGrant',
    ]);
    expect(problems({ url: 'ldaps://x', claims: { sub: 'uid', email: 'mail', acr: 'title' } })).toEqual([
      { path: '$.plugins.passwordGrant.claims.sub', message: 'the server sets sub; no attribute supplies it' },
      { path: '$.plugins.passwordGrant.claims.acr', message: 'the server sets acr; no attribute supplies it' },
    ]);
  });
});
