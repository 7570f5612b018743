import { describe, expect, it } from 'vitest';
import { pointerToJsonPath, validateTenantConfig } from '../src/config/validate-tenant-config.ts';

describe('tenant config v1', () => {
  it('fills every default from an empty object', () => {
    const result = validateTenantConfig({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.version).toBe(1);
    expect(result.config.tokens.accessTokenLifetime).toBe(600);
    expect(result.config.tokens.idTokenLifetime).toBe(300);
    expect(result.config.tokens.refreshTokenReuseGracePeriod).toBe(5);
    expect(result.config.grants.grantTypes).toEqual(['authorization_code', 'refresh_token', 'client_credentials']);
    expect(result.config.grants.responseTypes).toEqual(['code']);
    expect(result.config.keys.signingAlgorithms).toEqual(['RS256', 'ES256', 'EdDSA']);
    expect(result.config.keys.idTokenSigningAlgorithm).toBe('RS256');
    expect(result.config.keys.accessTokenSigningAlgorithm).toBe('ES256');
    expect(result.config.login.locales).toEqual(['en']);
    expect(result.config.plugins).toEqual({});
  });

  it('treats a missing config as the defaults and does not mutate its input', () => {
    const input = { tokens: { accessTokenLifetime: 120 } };
    const result = validateTenantConfig(input);
    expect(result.ok && result.config.tokens.accessTokenLifetime).toBe(120);
    expect(input).toEqual({ tokens: { accessTokenLifetime: 120 } });
    expect(validateTenantConfig(undefined).ok).toBe(true);
  });

  it('reports every mistake at once, each with its JSON path', () => {
    const result = validateTenantConfig({
      tokens: { accessTokenLifetime: -5 },
      keys: { signingAlgorithms: ['RS256', 'HS999'] },
      login: { primaryColor: 'blue' },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.errors.map((e) => e.path).sort();
    expect(paths).toEqual(['$.keys.signingAlgorithms[1]', '$.login.primaryColor', '$.tokens.accessTokenLifetime']);
    const alg = result.errors.find((e) => e.path === '$.keys.signingAlgorithms[1]')!;
    expect(alg.message).toContain('"ES256"');
  });

  it('rejects unknown members instead of ignoring a typo', () => {
    const result = validateTenantConfig({ tokens: { acessTokenLifetime: 60 }, extra: true });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.path).sort()).toEqual(['$.extra', '$.tokens.acessTokenLifetime']);
  });

  it('checks rules across members, alongside schema problems elsewhere', () => {
    const result = validateTenantConfig({
      keys: { signingAlgorithms: ['EdDSA'], idTokenSigningAlgorithm: 'RS256' },
      grants: { grantTypes: ['client_credentials'], responseTypes: ['code id_token'] },
      tokens: { refreshTokenLifetime: 60, accessTokenLifetime: 600 },
      login: { title: '' },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byPath = Object.fromEntries(result.errors.map((e) => [`${e.path} ${e.message}`, true]));
    const paths = result.errors.map((e) => e.path);
    expect(paths).toContain('$.login.title');
    expect(paths).toContain('$.keys.idTokenSigningAlgorithm');
    // accessTokenSigningAlgorithm defaults to ES256, which is not enabled either
    expect(paths).toContain('$.keys.accessTokenSigningAlgorithm');
    expect(paths.filter((p) => p === '$.grants.responseTypes[0]')).toHaveLength(2);
    expect(paths).toContain('$.tokens.accessTokenLifetime');
    expect(Object.keys(byPath).some((k) => k.includes('needs the implicit grant'))).toBe(true);
  });

  it('refuses a non-object config', () => {
    expect(validateTenantConfig([1, 2])).toEqual({
      ok: false,
      errors: [{ path: '$', message: 'must be a JSON object' }],
    });
    expect(validateTenantConfig('x').ok).toBe(false);
  });

  it('writes JSON paths for awkward member names', () => {
    expect(pointerToJsonPath('')).toBe('$');
    expect(pointerToJsonPath('/a/0/b')).toBe('$.a[0].b');
    expect(pointerToJsonPath('/we ird/x~1y')).toBe('$["we ird"]["x/y"]');
  });
});
