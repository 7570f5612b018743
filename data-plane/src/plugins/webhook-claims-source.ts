import { callSlotTarget, type SlotTargetConfig } from './call-slot.ts';
import type { ClaimsSourceRun } from './claims-source.ts';
import { badAnswer, isObject } from './slot-answer.ts';

/**
 * The claims source as a webhook (docs/plugins/claims-source.md): POST
 * `{sub, claims, client_id, scope[, claims_locales]}`, answer `{claims: {...}}`
 * (`{claims: null}` for an unknown subject). Fails closed: no claims source,
 * no UserInfo or ID token.
 */
export const webhookClaimsSource: ClaimsSourceRun<SlotTargetConfig> = async (deps, context, config, query) => {
  const answer = await callSlotTarget(deps.webhooks, context.tenant.tid, 'claimsSource', config, {
    sub: query.sub,
    claims: query.names,
    client_id: query.clientId,
    scope: query.scope.join(' '),
    ...(query.locales.length ? { claims_locales: query.locales } : {}),
  });
  const claims = answer?.claims;
  if (claims === null) return null;
  if (!isObject(claims)) throw badAnswer('claimsSource', 'the answer has no claims object');
  return claims;
};
