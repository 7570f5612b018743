import { decodeAuditCursor, encodeAuditCursor } from '@tessera/shared/audit/audit-log';
import { REDACTED, redactSecrets, secretNamed, secretShaped } from '@tessera/shared/audit/secret-guard';
import { mintApiToken } from '@tessera/shared/http/api-token';
import { describe, expect, it } from 'vitest';

describe('audit secret guard', () => {
  it('redacts members named like secrets, but not their ids and names', () => {
    for (const name of ['secret', 'client_secret', 'password', 'access_token', 'assertion', 'private_key', 'user_pin'])
      expect(secretNamed(name), name).toBe(true);
    for (const name of ['token_id', 'secret_name', 'api_token_ids', 'token_type', 'label', 'issuer', 'mapping'])
      expect(secretNamed(name), name).toBe(false);
  });

  it('redacts values shaped like JWTs, PEM keys and minted tokens, wherever they are', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlX2J5dGVz';
    const minted = mintApiToken();
    expect(secretShaped(jwt)).toBe(true);
    expect(secretShaped('-----BEGIN PRIVATE KEY-----\nMIIE')).toBe(true);
    // 43 random base64url characters: mixed case and digits (with overwhelming probability).
    if (/[a-z]/.test(minted) && /[A-Z]/.test(minted) && /\d/.test(minted)) expect(secretShaped(minted)).toBe(true);
    for (const plain of [
      'https://issuer.example.com/acme',
      '0b7b4c35-2f7e-4b39-9a0d-5b9a4b4f0c11',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'tenant.config_changed',
    ])
      expect(secretShaped(plain), plain).toBe(false);
    expect(
      redactSecrets({ label: 'ci', list: [jwt, 'fine'], deep: { password: 'hunter2', token_id: 'abc' }, n: 3 }),
    ).toEqual({ label: 'ci', list: [REDACTED, 'fine'], deep: { password: REDACTED, token_id: 'abc' }, n: 3 });
  });

  it('accepts only cursors it made', () => {
    expect(decodeAuditCursor(encodeAuditCursor('12345'))).toBe('12345');
    for (const bad of [
      '',
      'x',
      Buffer.from('a1:0').toString('base64url'),
      Buffer.from('b1:5').toString('base64url'),
      Buffer.from('a1:9999999999999999999').toString('base64url'),
      '***',
    ])
      expect(decodeAuditCursor(bad), bad).toBeUndefined();
  });
});
