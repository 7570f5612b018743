import { describe, expect, it } from 'vitest';
import { validateTenantConfig } from '../../src/config/validate-tenant-config.ts';

// trustedIssuers, tokenExchange and jwtBearer (tenant-config.ts) and the validator's trustedIssuerRules.

const problems = (config: Record<string, unknown>) => {
  const result = validateTenantConfig(config);
  return result.ok ? [] : result.errors;
};

const EC_KEY = {
  kty: 'EC',
  crv: 'P-256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
};

describe('trusted issuers, token exchange and JWT bearer config', () => {
  it('accepts an https or loopback-http JWK set URL or inline public keys, fills the defaults, and enables both grants', () => {
    const result = validateTenantConfig({
      grants: {
        grantTypes: [
          'authorization_code',
          'urn:ietf:params:oauth:grant-type:token-exchange',
          'urn:ietf:params:oauth:grant-type:jwt-bearer',
        ],
      },
      trustedIssuers: [
        { issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks', uses: ['jwt-bearer'] },
        { issuer: 'http://127.0.0.1:9999', jwksUri: 'http://127.0.0.1:9999/jwks', uses: ['token-exchange'] },
        { issuer: 'https://inline.example', jwks: { keys: [EC_KEY] }, uses: ['token-exchange', 'jwt-bearer'] },
      ],
      tokenExchange: {
        policies: [{ clients: ['api'], subjectTokenTypes: ['urn:ietf:params:oauth:token-type:access_token'] }],
      },
    });
    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;
    expect(result.config.trustedIssuers[0]).toMatchObject({ algorithms: ['RS256', 'ES256'], subjects: 'as-is' });
    expect(result.config.tokenExchange.policies[0]!.audiences).toEqual([]);
    expect(result.config.jwtBearer.maxAssertionLifetime).toBe(300);
    expect(validateTenantConfig({}).ok && validateTenantConfig({})).toMatchObject({
      config: { trustedIssuers: [], tokenExchange: { policies: [] } },
    });
  });

  it('refuses a twice-listed issuer, keys given both ways or neither, plain http off loopback, and private or symmetric keys', () => {
    expect(
      problems({
        trustedIssuers: [
          { issuer: 'https://a.example', jwksUri: 'http://a.example/jwks', uses: ['jwt-bearer'] },
          { issuer: 'https://a.example', uses: ['jwt-bearer'] },
          {
            issuer: 'https://b.example',
            jwksUri: 'https://b.example/jwks',
            jwks: {
              keys: [
                { kty: 'oct', k: 'c2VjcmV0' },
                { ...EC_KEY, d: 'private' },
              ],
            },
            uses: ['token-exchange'],
          },
        ],
      }),
    ).toEqual([
      { path: '$.trustedIssuers[0].jwksUri', message: 'must be an https URL (http only for localhost)' },
      { path: '$.trustedIssuers[1].issuer', message: 'is listed twice' },
      { path: '$.trustedIssuers[1]', message: 'needs exactly one of jwksUri and jwks' },
      { path: '$.trustedIssuers[2]', message: 'needs exactly one of jwksUri and jwks' },
      { path: '$.trustedIssuers[2].jwks.keys[0]', message: 'must be a public JWK (no symmetric or private key)' },
      { path: '$.trustedIssuers[2].jwks.keys[1]', message: 'must be a public JWK (no symmetric or private key)' },
    ]);
  });

  it('refuses a trusted issuer without a use, an unknown use, HS256, and a policy naming no client', () => {
    const paths = problems({
      trustedIssuers: [
        { issuer: 'https://a.example', jwksUri: 'https://a.example/j', uses: [] },
        { issuer: 'https://b.example', jwksUri: 'https://b.example/j', uses: ['saml'], algorithms: ['HS256'] },
      ],
      tokenExchange: { policies: [{ clients: [], subjectTokenTypes: ['urn:ietf:params:oauth:token-type:jwt'] }] },
    }).map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '$.trustedIssuers[0].uses',
        '$.trustedIssuers[1].uses[0]',
        '$.trustedIssuers[1].algorithms[0]',
        '$.tokenExchange.policies[0].clients',
      ]),
    );
  });
});
