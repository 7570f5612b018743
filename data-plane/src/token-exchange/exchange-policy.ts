import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import { oauthError } from '../oauth/oauth-error.ts';

const ANY = '*';

/**
 * The tenant's token exchange policy (config tokenExchange.policies),
 * default deny: some policy must name the client (or `*`) and the subject
 * token's type, else `unauthorized_client`; every audience asked for must be
 * one those policies list (or `*`), else `invalid_target`.
 */
export function checkExchangePolicy(
  config: TenantConfig,
  clientId: string,
  subjectTokenType: string,
  audiences: readonly string[],
): void {
  const policies = config.tokenExchange.policies.filter(
    (p) =>
      (p.clients.includes(ANY) || p.clients.includes(clientId)) &&
      (p.subjectTokenTypes as readonly string[]).includes(subjectTokenType),
  );
  if (policies.length === 0)
    throw oauthError('unauthorized_client', `The client may not exchange tokens of type ${subjectTokenType}`);
  const refused = audiences.filter((a) => !policies.some((p) => p.audiences.includes(ANY) || p.audiences.includes(a)));
  if (refused.length > 0)
    throw oauthError('invalid_target', `The client may not exchange tokens for: ${refused.join(' ')}`);
}
