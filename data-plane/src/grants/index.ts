import { authorizationCodeGrant } from './authorization-code.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import { deviceCodeGrant } from './device-code.ts';
import type { GrantHandler } from './grant.ts';
import { jwtBearerGrant } from './jwt-bearer.ts';
import { passwordGrant } from './password.ts';
import { refreshTokenGrant } from './refresh-token.ts';
import { tokenExchangeGrant } from './token-exchange.ts';

/**
 * The token endpoint's grants by grant_type, one line each.
 */
export const GRANTS: ReadonlyMap<string, GrantHandler> = new Map(
  [
    authorizationCodeGrant,
    clientCredentialsGrant,
    refreshTokenGrant,
    passwordGrant,
    deviceCodeGrant,
    tokenExchangeGrant,
    jwtBearerGrant,
  ].map((g) => [g.grantType, g]),
);
