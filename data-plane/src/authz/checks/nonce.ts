import { type Check, refuse, type TrustedRequest } from './authz-check.ts';
import { printable, words } from './values.ts';

/** OpenID Connect Core §3.2.2.1: printable, and required when an ID token comes from the authorisation endpoint. */
export const checkNonce: Check<TrustedRequest> = (s) => {
  const nonce = s.params.nonce;
  if (nonce !== undefined && !printable(nonce)) return refuse('invalid_request', 'Invalid nonce');
  const openid = words(s.params.scope).includes('openid');
  if (openid && s.responseType.includes('id_token') && nonce === undefined)
    return refuse('invalid_request', 'A nonce is required for this response type');
  if (nonce !== undefined) s.established.nonce = nonce;
  return undefined;
};
