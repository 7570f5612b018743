import { fail, has, type MetadataCheck } from './metadata-check.ts';
import { LOOPBACK_HOSTS, redirectUri, schemeOf } from './uris.ts';
import { stringArray } from './values.ts';

/** Each URI by the policy of the client's application type; an implicit web client: https only, never localhost. */
export const checkRedirectUris: MetadataCheck = (s) => {
  if (!has(s, 'redirect_uris')) return;
  const uris = stringArray(s.body.redirect_uris, 'redirect_uris', 'invalid_redirect_uri');
  for (const uri of uris) redirectUri(uri, 'redirect_uris', s.applicationType, 'invalid_redirect_uri');
  if (s.applicationType === 'web' && s.grantTypes.includes('implicit')) {
    // OpenID Connect Registration §2: implicit web clients register https only, never localhost.
    for (const uri of uris) {
      if (schemeOf(uri) !== 'https' || LOOPBACK_HOSTS.has(new URL(uri).hostname)) {
        fail(
          `redirect_uris of a web client using the implicit grant must be https and not localhost: ${uri}`,
          'invalid_redirect_uri',
        );
      }
    }
  }
  s.metadata.redirect_uris = uris;
};

/** The front-channel grants need somewhere to send the response. */
export const checkRedirectUrisPresent: MetadataCheck = (s) => {
  const redirecting = s.grantTypes.includes('authorization_code') || s.grantTypes.includes('implicit');
  if (redirecting && (s.metadata.redirect_uris?.length ?? 0) === 0) {
    fail('redirect_uris is required for the authorization_code and implicit grant types', 'invalid_redirect_uri');
  }
};

export const checkPostLogoutRedirectUris: MetadataCheck = (s) => {
  if (!has(s, 'post_logout_redirect_uris')) return;
  const uris = stringArray(s.body.post_logout_redirect_uris, 'post_logout_redirect_uris');
  for (const uri of uris) redirectUri(uri, 'post_logout_redirect_uris', s.applicationType, 'invalid_client_metadata');
  s.metadata.post_logout_redirect_uris = uris;
};
