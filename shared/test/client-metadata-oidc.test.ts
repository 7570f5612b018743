import { describe, expect, it } from 'vitest';
import { validateClientMetadata } from '../src/clients/client-metadata.ts';

const options = {
  privileged: false,
  supportedGrantTypes: ['authorization_code'],
  supportedAuthMethods: ['client_secret_basic', 'none', 'private_key_jwt'],
  idTokenSigningAlgs: ['RS256', 'ES256'],
};
const base = { redirect_uris: ['https://rp.example.com/cb'] };

/** ID token and UserInfo JWT members (OpenID Connect Registration §2) are checked at registration, not at first use. */
describe('client metadata: ID token and UserInfo JWT members', () => {
  it('accepts supported algorithms and fills in the default content encryption', () => {
    const result = validateClientMetadata(
      {
        ...base,
        id_token_encrypted_response_alg: 'A128KW',
        userinfo_signed_response_alg: 'HS256',
        userinfo_encrypted_response_alg: 'dir',
        userinfo_encrypted_response_enc: 'A256GCM',
        id_token_explicit_typ: true,
      },
      options,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.metadata).toMatchObject({
      id_token_encrypted_response_alg: 'A128KW',
      id_token_encrypted_response_enc: 'A128CBC-HS256',
      userinfo_signed_response_alg: 'HS256',
      userinfo_encrypted_response_enc: 'A256GCM',
      id_token_explicit_typ: true,
    });
  });

  it('refuses unknown or unusable choices', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ id_token_encrypted_response_alg: 'RSA1_5' }, 'id_token_encrypted_response_alg'],
      [{ id_token_encrypted_response_enc: 'A128GCM' }, 'requires id_token_encrypted_response_alg'],
      [{ userinfo_signed_response_alg: 'PS512' }, 'userinfo_signed_response_alg'],
      [{ userinfo_signed_response_alg: 'none' }, 'userinfo_signed_response_alg'],
      [{ token_endpoint_auth_method: 'none', userinfo_encrypted_response_alg: 'dir' }, 'needs a client secret'],
      [{ id_token_explicit_typ: 'yes' }, 'id_token_explicit_typ'],
    ];
    for (const [extra, message] of cases) {
      const result = validateClientMetadata({ ...base, ...extra }, options);
      expect(result.ok, JSON.stringify(extra)).toBe(false);
      if (!result.ok) expect(result.description).toContain(message);
    }
  });
});
