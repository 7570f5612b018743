import { describe, expect, it } from 'vitest';
import { CLIENT_METADATA_CHECKS } from '../../src/clients/checks/index.ts';
import { type ClientMetadataOptions, validateClientMetadata } from '../../src/clients/client-metadata.ts';

const options: ClientMetadataOptions = {
  privileged: false,
  supportedGrantTypes: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials', 'password'],
  supportedAuthMethods: ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'],
  idTokenSigningAlgs: ['RS256', 'ES256'],
};
const web = { redirect_uris: ['https://app.example/cb'] };

describe('client metadata checks', () => {
  it('runs named rules from one table, in this order', () => {
    expect(CLIENT_METADATA_CHECKS.map((c) => c.name)).toEqual([
      'checkServerManagedMembers',
      'checkUnsupportedMembers',
      'checkRefreshClientSecret',
      'checkPreferredClientId',
      'checkData',
      'checkApplicationType',
      'checkTokenEndpointAuthMethod',
      'checkTokenEndpointAuthSigningAlg',
      'checkGrantTypes',
      'checkResponseTypes',
      'checkGrantsMatchResponseTypes',
      'checkPublicClientGrants',
      'checkRedirectUris',
      'checkRedirectUrisPresent',
      'checkPostLogoutRedirectUris',
      'checkAllowedCorsOrigins',
      'checkFrontchannelLogoutUri',
      'checkFrontchannelLogoutSessionRequired',
      'checkBackchannelLogoutUri',
      'checkBackchannelLogoutSessionRequired',
      'checkKeys',
      'checkPrivateKeyJwtKeys',
      'checkIdTokenSigningAlg',
      'checkSubjectType',
      'checkSectorIdentifierUri',
      'checkPairwiseSector',
      'checkRequestUris',
      'checkRequestRequirements',
      'checkRequestObjectSigningAlg',
      'checkSignedRequestObjectAlg',
      'checkAuthorizationSigningAlg',
      'checkRequestObjectEncryption',
      'checkAuthorizationEncryption',
      'checkUserinfoSigningAlg',
      'checkIdTokenEncryption',
      'checkUserinfoEncryption',
      'checkIdTokenExplicitTyp',
      'checkDpopBoundAccessTokens',
      'checkClientName',
      'checkPageUris',
      'checkScope',
      'checkContacts',
      'checkSoftware',
      'checkOther',
    ]);
  });

  it('fills in the defaults and keeps extensions', () => {
    const result = validateClientMetadata(
      { ...web, 'client_name#fr': 'Appli', x_custom: { a: 1 }, id_token_encrypted_response_alg: 'RSA-OAEP' },
      options,
    );
    expect(result).toEqual({
      ok: true,
      refreshClientSecret: false,
      metadata: {
        application_type: 'web',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: ['https://app.example/cb'],
        id_token_encrypted_response_alg: 'RSA-OAEP',
        id_token_encrypted_response_enc: 'A128CBC-HS256',
        'client_name#fr': 'Appli',
        x_custom: { a: 1 },
      },
    });
  });

  it('refuses what each rule refuses, in its words', () => {
    const cases: Array<[unknown, string, Partial<ClientMetadataOptions>?, string?]> = [
      [[], 'The client metadata must be a JSON object'],
      [{ ...web, client_id: 'x' }, 'client_id is assigned by the server and must not be sent'],
      [{ ...web }, 'client_id is required in an update request (RFC 7592 §2.2)', { mode: 'update' }],
      [
        { ...web, preferred_client_secret: 's' },
        'preferred_client_secret is not supported: the server generates client secrets',
      ],
      [{ ...web, refresh_client_secret: 'yes' }, 'refresh_client_secret must be a boolean'],
      [{ ...web, preferred_client_id: 'x' }, 'preferred_client_id requires the registration master token'],
      [{ ...web, data: 'x' }, 'data must be a JSON object', { privileged: true }],
      [{ ...web, application_type: 'tv' }, 'application_type must be "web" or "native"'],
      [
        { ...web, token_endpoint_auth_method: 'tls_client_auth' },
        'token_endpoint_auth_method "tls_client_auth" is unknown',
      ],
      [
        { ...web, token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'HS256' },
        'token_endpoint_auth_signing_alg "HS256" is not an asymmetric JWS algorithm for private_key_jwt',
      ],
      [
        { ...web, token_endpoint_auth_method: 'client_secret_jwt', token_endpoint_auth_signing_alg: 'RS256' },
        'token_endpoint_auth_signing_alg "RS256" is not an HMAC algorithm for client_secret_jwt',
      ],
      [
        { ...web, grant_types: ['urn:ietf:params:oauth:grant-type:device_code'] },
        'grant type "urn:ietf:params:oauth:grant-type:device_code" is not enabled for this tenant',
      ],
      [{ ...web, response_types: ['code code'] }, 'response_types has a malformed value "code code"'],
      [
        { ...web, response_types: ['token'] },
        'response types with "token" or "id_token" require the implicit grant type',
      ],
      [
        { token_endpoint_auth_method: 'none', grant_types: ['password'] },
        'a public client (token_endpoint_auth_method "none") cannot use the password grant type',
      ],
      [
        { redirect_uris: ['http://app.example/cb'] },
        'redirect_uris must use https (http only for localhost, 127.0.0.1 or [::1]): http://app.example/cb',
        {},
        'invalid_redirect_uri',
      ],
      [{}, 'redirect_uris is required for the authorization_code and implicit grant types', {}, 'invalid_redirect_uri'],
      [
        { ...web, post_logout_redirect_uris: ['javascript:x'] },
        'post_logout_redirect_uris must not use the javascript: scheme',
      ],
      [
        { ...web, frontchannel_logout_uri: 'https://other.example/logout' },
        'frontchannel_logout_uri must have the scheme, host and port of a registered redirect URI: https://other.example/logout',
      ],
      [
        { ...web, frontchannel_logout_uri: 'https://app.example:8443/logout' },
        'frontchannel_logout_uri must have the scheme, host and port of a registered redirect URI: https://app.example:8443/logout',
      ],
      [
        { redirect_uris: ['https://app.example/cb'], frontchannel_logout_uri: 'http://app.example/logout' },
        'frontchannel_logout_uri must use https (http only for localhost, 127.0.0.1 or [::1]): http://app.example/logout',
      ],
      [
        { redirect_uris: ['http://127.0.0.1:8080/cb'], frontchannel_logout_uri: 'http://127.0.0.1:8081/fc' },
        'frontchannel_logout_uri must have the scheme, host and port of a registered redirect URI: http://127.0.0.1:8081/fc',
      ],
      [
        { ...web, frontchannel_logout_uri: 'https://app.example/logout#x' },
        'frontchannel_logout_uri must not contain a fragment',
      ],
      [{ ...web, frontchannel_logout_uri: '/logout' }, 'frontchannel_logout_uri must be an absolute URI: /logout'],
      [
        { ...web, frontchannel_logout_uri: 'javascript:alert(1)' },
        'frontchannel_logout_uri must not use the javascript: scheme',
      ],
      [
        { ...web, frontchannel_logout_uri: 'https://app.example/logout', frontchannel_logout_session_required: 'true' },
        'frontchannel_logout_session_required must be a boolean',
      ],
      [
        { ...web, backchannel_logout_uri: 'http://rp.example/bc' },
        'backchannel_logout_uri must use https (http only for localhost, 127.0.0.1 or [::1]): http://rp.example/bc',
      ],
      [
        { ...web, backchannel_logout_uri: 'https://rp.example/bc#f' },
        'backchannel_logout_uri must not contain a fragment',
      ],
      [
        { ...web, backchannel_logout_uri: 'ftp://rp.example/bc' },
        'backchannel_logout_uri must be an http or https URI',
      ],
      [{ ...web, backchannel_logout_uri: 42 }, 'backchannel_logout_uri must be a string'],
      [{ ...web, backchannel_logout_session_required: 1 }, 'backchannel_logout_session_required must be a boolean'],
      [
        { ...web, jwks: { keys: [{ kty: 'oct', k: 'x' }] } },
        'jwks key #0 is a symmetric key; only public keys may be registered',
      ],
      [{ ...web, token_endpoint_auth_method: 'private_key_jwt' }, 'private_key_jwt requires jwks or jwks_uri'],
      [
        { ...web, id_token_signed_response_alg: 'none' },
        'id_token_signed_response_alg "none" is not supported: ID tokens are always signed',
      ],
      [
        { ...web, id_token_signed_response_alg: 'PS256' },
        'id_token_signed_response_alg "PS256" is not supported (supported: RS256, ES256)',
      ],
      [{ ...web, subject_type: 'secret' }, 'subject_type must be "public" or "pairwise"'],
      [
        { ...web, sector_identifier_uri: 'urn:c2id:sector_id:abc' },
        'a provider-managed sector_identifier_uri requires the registration master token',
      ],
      [
        { redirect_uris: ['https://a.example/cb', 'https://b.example/cb'], subject_type: 'pairwise' },
        'a pairwise client with redirect_uris on several hosts must register a sector_identifier_uri',
      ],
      [{ ...web, request_uris: ['http://app.example/r'] }, 'request_uris must be an https URI'],
      [{ ...web, require_signed_request_object: 'yes' }, 'require_signed_request_object must be a boolean'],
      [{ ...web, request_object_signing_alg: 'XX' }, 'request_object_signing_alg "XX" is not a known JWS algorithm'],
      [
        { ...web, require_signed_request_object: true, request_object_signing_alg: 'none' },
        'require_signed_request_object contradicts request_object_signing_alg "none"',
      ],
      [{ ...web, authorization_signed_response_alg: 'none' }, 'authorization_signed_response_alg must not be "none"'],
      [
        { ...web, request_object_encryption_alg: 'ECDH-ES' },
        'request_object_encryption_alg "ECDH-ES" is not supported (supported: RSA-OAEP, RSA-OAEP-256)',
      ],
      [
        { ...web, token_endpoint_auth_method: 'none', authorization_encrypted_response_alg: 'A128KW' },
        'authorization_encrypted_response_alg "A128KW" needs a client secret, which a none client does not have',
      ],
      [
        { ...web, token_endpoint_auth_method: 'none', userinfo_signed_response_alg: 'HS256' },
        'userinfo_signed_response_alg "HS256" needs a client secret, which a none client does not have',
      ],
      [
        { ...web, id_token_encrypted_response_enc: 'A128GCM' },
        'id_token_encrypted_response_enc requires id_token_encrypted_response_alg',
      ],
      [
        { ...web, userinfo_encrypted_response_alg: 'dir', userinfo_encrypted_response_enc: 'A1' },
        'userinfo_encrypted_response_enc "A1" is not supported',
      ],
      [{ ...web, id_token_explicit_typ: 'yes' }, 'id_token_explicit_typ must be a boolean'],
      [{ ...web, dpop_bound_access_tokens: 'true' }, 'dpop_bound_access_tokens must be a boolean'],
      [{ ...web, client_name: '' }, 'client_name must not be empty'],
      [{ ...web, policy_uri: 'ftp://app.example/p' }, 'policy_uri must be an http or https URI'],
      [{ ...web, scope: 'a  b' }, 'scope must be scope tokens separated by single spaces'],
      [{ ...web, contacts: ['java\tscript:alert(1)'] }, 'contacts must not use the javascript: scheme'],
      [{ ...web, software_id: '' }, 'software_id must not be empty'],
      [{ ...web, 'logo_uri#de': 'javascript:x' }, 'logo_uri#de must not use the javascript: scheme'],
      [{ ...web, x_callback_uri: 'vbscript:x' }, 'x_callback_uri must not use the vbscript: scheme'],
    ];
    for (const [input, description, extra, error] of cases) {
      expect(validateClientMetadata(input, { ...options, ...extra }), description).toEqual({
        ok: false,
        error: error ?? 'invalid_client_metadata',
        description,
      });
    }
  });

  it('accepts logout URIs by the redirect URIs’ rules, defaulting the session flags to false once a URI is registered', () => {
    const accepted = (body: Record<string, unknown>) => {
      const result = validateClientMetadata(body, options);
      expect(result, JSON.stringify(body)).toMatchObject({ ok: true });
      return (result as { metadata: Record<string, unknown> }).metadata;
    };
    expect(
      accepted({
        ...web,
        frontchannel_logout_uri: 'https://app.example:443/logout?from=op',
        backchannel_logout_uri: 'https://backend.example/bc',
      }),
    ).toMatchObject({
      frontchannel_logout_uri: 'https://app.example:443/logout?from=op',
      frontchannel_logout_session_required: false,
      backchannel_logout_uri: 'https://backend.example/bc',
      backchannel_logout_session_required: false,
    });
    expect(
      accepted({
        redirect_uris: ['http://127.0.0.1:8080/cb', 'com.example.app:/cb'],
        application_type: 'native',
        frontchannel_logout_uri: 'http://127.0.0.1:8080/fc',
        frontchannel_logout_session_required: true,
        backchannel_logout_uri: 'http://localhost:9000/bc',
        backchannel_logout_session_required: true,
      }),
    ).toMatchObject({ frontchannel_logout_session_required: true, backchannel_logout_session_required: true });
    const plain = accepted({ ...web });
    expect(accepted({ ...web, dpop_bound_access_tokens: true }).dpop_bound_access_tokens).toBe(true);
    expect(plain.dpop_bound_access_tokens).toBeUndefined();
    expect(plain.frontchannel_logout_session_required).toBeUndefined();
    expect(plain.backchannel_logout_session_required).toBeUndefined();
    expect(accepted({ ...web, backchannel_logout_session_required: true }).backchannel_logout_session_required).toBe(
      true,
    );
  });

  it('reports the first rule broken', () => {
    // Both the auth method and the scope are wrong: the auth method's rule runs first.
    expect(validateClientMetadata({ ...web, token_endpoint_auth_method: 'x', scope: 'a  b' }, options)).toMatchObject({
      description: 'token_endpoint_auth_method "x" is unknown',
    });
  });
});
