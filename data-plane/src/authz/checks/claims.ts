import { parseClaimsRequest } from '../claims-request.ts';
import { type Check, refuse, type TrustedRequest } from './authz-check.ts';

/** The `claims` parameter (OpenID Connect Core §5.5): well-formed JSON of the expected shape. */
export const checkClaims: Check<TrustedRequest> = (s) => {
  if (s.params.claims === undefined) return undefined;
  const parsed = parseClaimsRequest(s.params.claims);
  if (typeof parsed === 'string') return refuse('invalid_request', parsed);
  s.established.claims = parsed;
  return undefined;
};
