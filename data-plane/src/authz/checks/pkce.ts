import { authMethodOf } from '@tessera/shared/clients/client';
import { type Check, refuse, type TrustedRequest } from './authz-check.ts';

/** RFC 7636 §4.1: 43–128 unreserved characters. */
const PKCE_VALUE = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * PKCE (RFC 7636): S256, plain only where the tenant allows it; required of
 * public clients always, of others where the tenant or the client asks.
 */
export const checkPkce: Check<TrustedRequest> = (s) => {
  const { authorization } = s.context.tenant.config;
  const challenge = s.params.code_challenge;
  const method = s.params.code_challenge_method ?? (challenge !== undefined ? 'plain' : undefined);
  if (challenge !== undefined) {
    if (!PKCE_VALUE.test(challenge)) return refuse('invalid_request', 'Invalid code_challenge');
    if (method !== 'S256' && !(method === 'plain' && authorization.allowPlainPkce)) {
      return refuse('invalid_request', `Unsupported code_challenge_method ${method}`);
    }
    s.established.codeChallenge = challenge;
    s.established.codeChallengeMethod = method as 'S256' | 'plain';
  } else if (s.params.code_challenge_method !== undefined) {
    return refuse('invalid_request', 'code_challenge_method without code_challenge');
  }
  const required =
    authMethodOf(s.client) === 'none' || authorization.requirePkce || s.client.metadata.require_pkce === true;
  if (s.responseType.includes('code') && challenge === undefined && required) {
    return refuse('invalid_request', 'PKCE is required: missing code_challenge');
  }
  return undefined;
};
