import { defaultScope, scopeOutside } from '../../grants/scope.ts';
import { apiScopes } from '../../oauth/resource-indicators.ts';
import { type Check, refuse, type TrustedRequest } from './authz-check.ts';
import { words } from './values.ts';

/** RFC 6749 §3.3: scope tokens of %x21 / %x23-5B / %x5D-7E. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The scope: well-formed, `openid` where an ID token is asked for, and within
 * the token endpoint's scope policy (grants/scope.ts) — a value outside it is
 * refused, not silently dropped (a value a requested API defines is within
 * it). Nothing asked for means the client's default.
 */
export const checkScope: Check<TrustedRequest> = (s) => {
  const { config } = s.context.tenant;
  const scope = words(s.params.scope);
  if (scope.some((v) => !SCOPE_TOKEN.test(v))) return refuse('invalid_scope', 'The scope contains invalid characters');
  if (s.responseType.includes('id_token') && !scope.includes('openid'))
    return refuse('invalid_request', 'The id_token response type needs the openid scope');
  const requested = [...new Set(scope.length ? scope : defaultScope(config, s.client))];
  // Values an API defines are allowed along with it (checkResource runs first).
  const api = apiScopes(s.established.resources ?? []);
  const outside = scopeOutside(config, s.client, requested).filter((v) => !api.has(v));
  if (outside.length) return refuse('invalid_scope', `The client may not request: ${outside.join(' ')}`);
  s.established.scope = requested;
  return undefined;
};
