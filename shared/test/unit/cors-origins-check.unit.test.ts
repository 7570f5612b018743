import { describe, expect, it } from 'vitest';
import { type ClientMetadataOptions, validateClientMetadata } from '../../src/clients/client-metadata.ts';

const options: ClientMetadataOptions = {
  privileged: false,
  supportedGrantTypes: ['authorization_code', 'refresh_token'],
  supportedAuthMethods: ['client_secret_basic', 'none'],
};
const spa = { redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'none' };
const check = (allowed_cors_origins: unknown) => validateClientMetadata({ ...spa, allowed_cors_origins }, options);

describe('allowed_cors_origins', () => {
  it('keeps https origins and loopback http origins with ports', () => {
    const origins = [
      'https://app.example',
      'https://app.example:8443',
      'http://127.0.0.1:5173',
      'http://localhost:3000',
    ];
    const result = check(origins);
    expect(result.ok && result.metadata.allowed_cors_origins).toEqual(origins);
  });

  it('is absent unless registered', () => {
    const result = validateClientMetadata(spa, options);
    expect(result.ok && result.metadata.allowed_cors_origins).toBeUndefined();
  });

  it('refuses what is not exactly an origin, saying what to write', () => {
    const cases: Array<[unknown, string]> = [
      ['https://app.example', 'allowed_cors_origins must be an array of strings'],
      [['https://app.example/'], 'write https://app.example for https://app.example/'],
      [['https://app.example/spa'], 'write https://app.example for https://app.example/spa'],
      [['https://app.example?x=1'], 'write https://app.example for https://app.example?x=1'],
      [['https://app.example#top'], 'write https://app.example for https://app.example#top'],
      [['https://App.Example'], 'write https://app.example for https://App.Example'],
      [['https://app.example:443'], 'write https://app.example for https://app.example:443'],
      [['http://app.example'], 'allowed_cors_origins must use https (http only for localhost, 127.0.0.1 or [::1])'],
      [['https://user:pw@app.example'], 'allowed_cors_origins must not contain user information'],
      [['*'], 'every member of allowed_cors_origins must be an http(s) origin: *'],
      [['null'], 'every member of allowed_cors_origins must be an http(s) origin: null'],
      [['app.example'], 'every member of allowed_cors_origins must be an http(s) origin: app.example'],
      [['javascript:alert(1)'], 'every member of allowed_cors_origins must be an http(s) origin'],
      [['https://a.example', 'https://a.example'], 'allowed_cors_origins lists "https://a.example" twice'],
      [Array.from({ length: 51 }, (_, i) => `https://a${i}.example`), 'more than 50 origins'],
    ];
    for (const [value, message] of cases) {
      const result = check(value);
      expect(result.ok, JSON.stringify(value)).toBe(false);
      if (!result.ok) {
        expect(result.error).toBe('invalid_client_metadata');
        expect(result.description).toContain(message);
      }
    }
  });
});
