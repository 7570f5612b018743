import { type Check, type IncomingRequest, refuse } from './authz-check.ts';

/**
 * The redirect URI: one of the client's registered ones, matched exactly
 * (RFC 9700 §2.1); it may be left out when the client registered just one.
 * Until this passes, no error may be redirected anywhere.
 */
export const checkRedirectUri: Check<IncomingRequest> = (s) => {
  if (s.repeated.includes('redirect_uri')) return refuse('invalid_request', 'The redirect_uri parameter is repeated');
  const registered = s.client!.metadata.redirect_uris ?? [];
  const given = s.params.redirect_uri;
  s.redirectUriGiven = given !== undefined;
  if (given === undefined) {
    if (registered.length !== 1) return refuse('invalid_request', 'Missing redirect_uri');
    s.redirectUri = registered[0]!;
  } else if (!registered.includes(given)) {
    return refuse('invalid_request', 'The redirect_uri is not registered for the client');
  } else {
    s.redirectUri = given;
  }
  return undefined;
};
