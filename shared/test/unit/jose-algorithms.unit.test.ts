import { describe, expect, it } from 'vitest';
import { validateTenantConfig } from '../../src/config/validate-tenant-config.ts';
import {
  ACCESS_TOKEN_CONTENT_ENCRYPTIONS,
  algorithmsFor,
  allowedFor,
  ENCRYPTION_ALGORITHMS,
  HMAC_ALGORITHMS,
  JOSE_ALGORITHMS,
  joseAlgorithm,
  SIGNING_ALGORITHMS,
  tenantSigningAlgorithms,
} from '../../src/jose/algorithms.ts';
import { ALGORITHMS } from '../../src/keys/algorithms.ts';

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const HMAC = ['HS256', 'HS384', 'HS512'];
const CLIENT_JWE = [
  'RSA-OAEP',
  'RSA-OAEP-256',
  'RSA-OAEP-384',
  'RSA-OAEP-512',
  'ECDH-ES',
  'ECDH-ES+A128KW',
  'ECDH-ES+A192KW',
  'ECDH-ES+A256KW',
  'A128KW',
  'A192KW',
  'A256KW',
  'dir',
];
const ENCS = ['A128GCM', 'A192GCM', 'A256GCM', 'A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512'];

describe('the JOSE algorithm registry', () => {
  it('derives every published list, in the order discovery has always shown', () => {
    expect(SIGNING_ALGORITHMS).toEqual(ASYMMETRIC);
    expect(ENCRYPTION_ALGORITHMS).toEqual(['RSA-OAEP', 'RSA-OAEP-256']);
    expect(HMAC_ALGORITHMS).toEqual(HMAC);
    expect(ACCESS_TOKEN_CONTENT_ENCRYPTIONS).toEqual(ENCS);
    expect(algorithmsFor('client-assertion', 'hmac')).toEqual(HMAC);
    expect(algorithmsFor('client-assertion', 'signature')).toEqual(ASYMMETRIC);
    expect(algorithmsFor('request-object')).toEqual([...ASYMMETRIC, ...HMAC]);
    expect(algorithmsFor('request-object-encryption', 'key-management')).toEqual(['RSA-OAEP', 'RSA-OAEP-256']);
    expect(algorithmsFor('request-object-encryption', 'content-encryption')).toEqual(ENCS);
    expect(algorithmsFor('jarm')).toEqual([...ASYMMETRIC, ...HMAC]);
    expect(algorithmsFor('client-encryption', 'key-management')).toEqual(CLIENT_JWE);
    expect(algorithmsFor('client-encryption', 'content-encryption')).toEqual(ENCS);
    // Only the tenant's own keys sign access tokens and introspection answers: never a client secret.
    expect(algorithmsFor('access-token')).toEqual(ASYMMETRIC);
    expect(algorithmsFor('introspection')).toEqual(ASYMMETRIC);
  });

  it('offers a tenant the algorithms of its keys (in its order), then the HMAC ones', () => {
    expect(tenantSigningAlgorithms(['EdDSA', 'RS256'], 'id-token')).toEqual(['EdDSA', 'RS256', ...HMAC]);
    expect(tenantSigningAlgorithms(['ES256'], 'jarm')).toEqual(['ES256', ...HMAC]);
    expect(tenantSigningAlgorithms(['ES256', 'RSA-OAEP', 'nope'], 'userinfo')).toEqual(['ES256', ...HMAC]);
  });

  it('says what each algorithm needs', () => {
    for (const [name, a] of Object.entries(JOSE_ALGORITHMS)) {
      if (a.kind === 'signature' && a.keyTypes[0] !== 'RSA') expect(a, name).toHaveProperty('crv');
      if (a.kind === 'content-encryption') expect(a.keyBytes, name).toBeGreaterThan(0);
      if (a.backends.length > 0) expect(a.keyTypes, name).toHaveLength(1);
      if ('clientSecret' in a && a.clientSecret) expect(a.backends, name).toEqual([]);
    }
    expect(joseAlgorithm('A256CBC-HS512')).toMatchObject({ keyBytes: 64, digest: 'sha512' });
    expect(joseAlgorithm('A128GCM')).toMatchObject({ keyBytes: 16, digest: null });
    expect(joseAlgorithm('A192KW')).toMatchObject({ keyBytes: 24, clientSecret: true });
    expect(joseAlgorithm('dir')?.clientSecret).toBe(true);
    expect(joseAlgorithm('ECDH-ES+A128KW')?.clientSecret).toBeUndefined();
    expect(joseAlgorithm('none')).toBeUndefined();
    expect(joseAlgorithm('toString')).toBeUndefined();
    expect(allowedFor('HS256', 'access-token')).toBe(false);
    expect(allowedFor('HS256', 'request-object', 'hmac')).toBe(true);
    expect(allowedFor('RS256', 'request-object', 'hmac')).toBe(false);
  });

  it('gives the key stores the same view as before', () => {
    expect(ALGORITHMS).toEqual({
      RS256: { kty: 'RSA', use: 'sig', hash: 'sha256' },
      RS384: { kty: 'RSA', use: 'sig', hash: 'sha384' },
      RS512: { kty: 'RSA', use: 'sig', hash: 'sha512' },
      PS256: { kty: 'RSA', use: 'sig', hash: 'sha256', pss: true },
      PS384: { kty: 'RSA', use: 'sig', hash: 'sha384', pss: true },
      PS512: { kty: 'RSA', use: 'sig', hash: 'sha512', pss: true },
      ES256: { kty: 'EC', use: 'sig', crv: 'P-256', hash: 'sha256' },
      ES384: { kty: 'EC', use: 'sig', crv: 'P-384', hash: 'sha384' },
      ES512: { kty: 'EC', use: 'sig', crv: 'P-521', hash: 'sha512' },
      EdDSA: { kty: 'OKP', use: 'sig', crv: 'Ed25519', hash: null },
      'RSA-OAEP': { kty: 'RSA', use: 'enc', hash: 'sha1' },
      'RSA-OAEP-256': { kty: 'RSA', use: 'enc', hash: 'sha256' },
    });
  });

  it('is what the tenant config schema accepts', () => {
    for (const alg of SIGNING_ALGORITHMS) {
      expect(
        validateTenantConfig({
          keys: { signingAlgorithms: [alg], idTokenSigningAlgorithm: alg, accessTokenSigningAlgorithm: alg },
        }).ok,
        alg,
      ).toBe(true);
    }
    expect(validateTenantConfig({ keys: { signingAlgorithms: ['HS256'] } }).ok).toBe(false);
    expect(validateTenantConfig({ keys: { encryptionAlgorithms: ['RSA-OAEP-384'] } }).ok).toBe(false);
    for (const enc of ENCS)
      expect(validateTenantConfig({ tokens: { accessTokenEncryptionMethod: enc } }).ok, enc).toBe(true);
    expect(validateTenantConfig({ tokens: { accessTokenEncryptionMethod: 'A128KW' } }).ok).toBe(false);
  });
});
