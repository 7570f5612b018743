import { type Check, refuse, type TrustedRequest } from './authz-check.ts';

/** A JWK SHA-256 thumbprint: 32 bytes, base64url without padding. */
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/**
 * RFC 9449 §10 `dpop_jkt`: the thumbprint of the DPoP key the client will
 * prove at the token endpoint; the code is bound to it
 * (grants/authorization-code.ts). A pushed request made with a DPoP proof
 * carries its key's thumbprint here too (endpoints/par.ts).
 */
export const checkDpopJkt: Check<TrustedRequest> = (s) => {
  const jkt = s.params.dpop_jkt;
  if (jkt === undefined) return undefined;
  if (!THUMBPRINT.test(jkt)) return refuse('invalid_request', 'Invalid dpop_jkt: not a JWK SHA-256 thumbprint');
  s.established.dpopJkt = jkt;
  return undefined;
};
