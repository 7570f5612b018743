import type { OAuthErrorCode } from '@tessera/shared/http/error-codes';
import { oauthError } from '../oauth/oauth-error.ts';
import type { SlotInvoker } from '../ports/slot-invoker.ts';
import { callSlotTarget } from './call-slot.ts';
import { describable } from './grant-handler-answer.ts';
import { badAnswer, isObject } from './slot-answer.ts';
import type { SlotConfig } from './slot-config.ts';
import { pluginClaims } from './token-claims.ts';

/** What the tenant's client credentials handler decided: the scope to grant (never wider) and claims to add. */
export interface ClientCredentialsDecision {
  scp: string[];
  claims?: Record<string, unknown>;
}

const REFUSALS: ReadonlySet<string> = new Set(['access_denied', 'invalid_scope']);

/**
 * The client credentials grant's handler webhook
 * (docs/plugins/client-credentials-grant.md): POST `{client_id, scope}` (the
 * scope the tenant's policy grants); the answer narrows the scope (values
 * outside it are ignored, so it can never widen), adds access token claims
 * (reserved names dropped), or refuses with `access_denied` (403) or
 * `invalid_scope` (400). Fails closed.
 */
export async function clientCredentialsHook(
  webhooks: SlotInvoker,
  tid: string,
  config: SlotConfig<'clientCredentialsGrant'>,
  clientId: string,
  granted: readonly string[],
): Promise<ClientCredentialsDecision> {
  const answer = (await callSlotTarget(webhooks, tid, 'clientCredentialsGrant', config, {
    client_id: clientId,
    scope: granted.join(' '),
  }))!;
  if (answer.error !== undefined) {
    if (typeof answer.error !== 'string' || !REFUSALS.has(answer.error))
      throw badAnswer('clientCredentialsGrant', 'error is neither access_denied nor invalid_scope');
    const code = answer.error as OAuthErrorCode;
    const description = describable(answer.error_description)
      ? answer.error_description
      : code === 'access_denied'
        ? 'The client is not allowed a token'
        : 'The requested scope is not allowed';
    throw oauthError(code, description, code === 'access_denied' ? { status: 403 } : {});
  }
  let scp = [...granted];
  if (answer.scope !== undefined) {
    const asked =
      typeof answer.scope === 'string'
        ? answer.scope.split(' ')
        : Array.isArray(answer.scope) && answer.scope.every((s) => typeof s === 'string')
          ? (answer.scope as string[])
          : undefined;
    if (!asked) throw badAnswer('clientCredentialsGrant', 'scope is neither a string nor an array of strings');
    const narrowed = new Set(asked);
    scp = granted.filter((s) => narrowed.has(s));
  }
  if (answer.claims === undefined) return { scp };
  if (!isObject(answer.claims)) throw badAnswer('clientCredentialsGrant', 'claims is not an object');
  const claims = pluginClaims('clientCredentialsGrant', answer.claims);
  return claims ? { scp, claims } : { scp };
}
