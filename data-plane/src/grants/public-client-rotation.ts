import type { Authorization } from '@tessera/shared/authz/authorization';
import { authMethodOf, type Client } from '@tessera/shared/clients/client';

/**
 * A public client's refresh tokens rotate, whatever the tenant's
 * `tokens.refreshTokenRotation` or the authorisation says (RFC 9700
 * §4.14.2: a browser app cannot keep a secret, so a stolen refresh token is
 * caught by its reuse). Applied where refresh tokens are used, so every way
 * an authorisation is made (hosted login, the authorisation session, direct
 * authorisation and authorisation store APIs) is covered.
 */
export function rotatingForPublicClients(client: Client, authz: Authorization): Authorization {
  if (authz.refreshToken.rotate || authMethodOf(client) !== 'none') return authz;
  return { ...authz, refreshToken: { ...authz.refreshToken, rotate: true } };
}
