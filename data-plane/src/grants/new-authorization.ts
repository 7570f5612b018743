import type { Authorization } from '@tessera/shared/authz/authorization';
import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import type { ResourceServer } from '@tessera/shared/resources/resource-server';
import { forResources } from '../oauth/resource-indicators.ts';

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

/**
 * The authorisation a grant issues without asking an end-user (client
 * credentials, password, JWT bearer, token exchange): the tenant's defaults,
 * for the APIs the request named (RFC 8707). Absent `act` and `atc` leave none.
 */
export function grantAuthorization(
  config: TenantConfig,
  fields: Pick<Authorization, 'sub' | 'cid' | 'scp' | 'iss'> & {
    act?: Authorization['act'] | undefined;
    atc?: Authorization['atc'] | undefined;
  },
  resources: readonly ResourceServer[],
): Authorization {
  const { act, atc, ...required } = fields;
  return forResources(
    config,
    newAuthorization(config, { ...required, ...(act ? { act } : {}), ...(atc ? { atc } : {}) }),
    resources,
  );
}
