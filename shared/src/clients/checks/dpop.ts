import { has, type MetadataCheck } from './metadata-check.ts';
import { boolean } from './values.ts';

/**
 * RFC 9449 §5.2 `dpop_bound_access_tokens`: a boolean; true means the client
 * always sends a DPoP proof to the token endpoint (a request without one is
 * refused), so all its access tokens are DPoP-bound.
 */
export const checkDpopBoundAccessTokens: MetadataCheck = (s) => {
  if (has(s, 'dpop_bound_access_tokens'))
    s.metadata.dpop_bound_access_tokens = boolean(s.body.dpop_bound_access_tokens, 'dpop_bound_access_tokens');
};
