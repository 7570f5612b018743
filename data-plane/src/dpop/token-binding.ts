import type { Authorization } from '@tessera/shared/authz/authorization';
import { authMethodOf, type Client } from '@tessera/shared/clients/client';

/**
 * The authorisation its access token is minted from: bound to the key the
 * token request proved (RFC 9449 §6: `cnf.jkt`, `token_type` DPoP), or
 * unbound — never a binding carried over from an earlier request.
 */
export function boundTo(authz: Authorization, jkt: string | undefined): Authorization {
  if (jkt) return { ...authz, cnf: { jkt } };
  if (!authz.cnf) return authz;
  const { cnf: _cnf, ...unbound } = authz;
  return unbound;
}

/**
 * RFC 9449 §5: a public client's refresh token is bound to the key its token
 * request proved (it has no other credential); a confidential client's is
 * not, since it authenticates at every refresh.
 */
export const refreshTokenBinding = (client: Client, jkt: string | undefined): string | undefined =>
  jkt !== undefined && authMethodOf(client) === 'none' ? jkt : undefined;
