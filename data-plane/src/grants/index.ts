import { clientCredentialsGrant } from './client-credentials.ts';
import type { GrantHandler } from './grant.ts';
import { passwordGrant } from './password.ts';
import { refreshTokenGrant } from './refresh-token.ts';

/**
 * The token endpoint's grants by grant_type, one line each. The
 * authorization_code grant joins this table with the front-channel issue.
 */
export const GRANTS: ReadonlyMap<string, GrantHandler> = new Map(
  [clientCredentialsGrant, refreshTokenGrant, passwordGrant].map((g) => [g.grantType, g]),
);
