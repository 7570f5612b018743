import { describe, expect, it } from 'vitest';
import { parseTenantConfig, validateTenantConfig } from '../../src/config/validate-tenant-config.ts';

// Module targets (self-hosted only): the one validator refuses them unless the deployment allows modules.

const MODULE = { type: 'module', module: '/opt/tessera/plugins/claims.ts', timeoutMs: 500 };

const problems = (config: unknown, options?: { pluginModules: boolean }) => {
  const result = validateTenantConfig(config, options);
  return result.ok ? [] : result.errors;
};

describe('module targets in the tenant config', () => {
  it('are refused by default (the SaaS), with the path of the slot', () => {
    expect(problems({ plugins: { claimsSource: MODULE } })).toEqual([
      { path: '$.plugins.claimsSource', message: 'plugin modules are not allowed in this deployment (use a webhook)' },
    ]);
    expect(problems({ plugins: { claimsSource: MODULE } }, { pluginModules: false })).toHaveLength(1);
  });

  it('are accepted where allowed: an absolute path or a file: URL of a .ts, .js or .mjs file, on any slot that takes a webhook', () => {
    const result = validateTenantConfig(
      {
        plugins: {
          claimsSource: MODULE,
          passwordGrant: { type: 'module', module: 'file:///opt/tessera/plugins/password.mjs' },
          customTokenResponse: { type: 'module', module: '/opt/tessera/plugins/members.js' },
          webSsoEligibility: { type: 'module', module: '/opt/tessera/plugins/sso.mjs' },
        },
      },
      { pluginModules: true },
    );
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.config.plugins.claimsSource).toEqual(MODULE);
  });

  it('refuses a relative path, another extension, a file: URL with a host and a timeout out of bounds, each by path', () => {
    expect(
      problems(
        {
          plugins: {
            claimsSource: { type: 'module', module: 'plugins/claims.ts' },
            passwordGrant: { type: 'module', module: './password.mjs' },
            customTokenResponse: { type: 'module', module: '/opt/tessera/plugins/members.json' },
            webSsoEligibility: { type: 'module', module: 'file://host/opt/sso.mjs' },
            clientCredentialsGrant: { type: 'module', module: '/opt/cc.mjs', timeoutMs: 60_000 },
          },
        },
        { pluginModules: true },
      ),
    ).toEqual([
      // A slot's config is a union of its kinds: a shape none of them has is refused at the slot.
      { path: '$.plugins.clientCredentialsGrant', message: 'expected union value' },
      { path: '$.plugins.claimsSource.module', message: 'must be an absolute path or a file: URL' },
      { path: '$.plugins.passwordGrant.module', message: 'must be an absolute path or a file: URL' },
      { path: '$.plugins.customTokenResponse.module', message: 'must name a .ts, .js or .mjs file' },
      {
        path: '$.plugins.webSsoEligibility.module',
        message: 'must be a file:/// URL without host, query or fragment',
      },
    ]);
  });

  it('are not a kind of event-listener slot (delivered by the worker) nor of a built-in-only slot', () => {
    for (const slot of ['tokenIssueEvents', 'authEvents', 'clientAuthInterceptor', 'identifierTokenCodec'])
      expect(
        problems({ plugins: { [slot]: { type: 'module', module: '/opt/listener.mjs' } } }, { pluginModules: true }),
      ).not.toEqual([]);
  });

  it('a stored config that was valid when written still loads (the data plane decides at call time)', () => {
    expect(parseTenantConfig({ plugins: { claimsSource: MODULE } }).plugins.claimsSource).toEqual(MODULE);
    expect(() => parseTenantConfig({ plugins: { claimsSource: { type: 'module', module: 'rel.mjs' } } })).toThrow(
      /must be an absolute path/,
    );
  });
});
