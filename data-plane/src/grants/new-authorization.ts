import type { Authorization } from '@tessera/shared/authz/authorization';
import type { TenantConfig } from '@tessera/shared/config/tenant-config';

/** An authorisation with the tenant's token defaults, for grants that create one. */
export function newAuthorization(
  config: TenantConfig,
  fields: Pick<Authorization, 'sub' | 'cid' | 'scp' | 'iss'> & Partial<Authorization>,
): Authorization {
  return {
    longLived: false,
    accessToken: {
      lifetime: 0,
      encoding: config.tokens.accessTokenFormat === 'identifier' ? 'IDENTIFIER' : 'SELF_CONTAINED',
      encrypt: false,
    },
    refreshToken: {
      issue: false,
      lifetime: config.tokens.refreshTokenLifetime,
      maxIdle: config.tokens.refreshTokenMaxIdle,
      rotate: config.tokens.refreshTokenRotation,
    },
    ...fields,
  };
}
