import { HttpError } from '@tessera/shared/http/errors';
import { type Check, type Refusal, refuse, type TrustedRequest } from '../authz/checks/authz-check.ts';
import { checkClaims } from '../authz/checks/claims.ts';
import { checkDisplay, checkHints, checkMaxAge, checkPrompt } from '../authz/checks/login-params.ts';
import { checkScope } from '../authz/checks/scope.ts';
import type { SlotTargetConfig } from './call-slot.ts';
import { askRequestValidator, requestRulesRefusal, withChanges } from './request-validation.ts';
import { slotConfigOf } from './slot-config.ts';

/**
 * The standard checks of the members a webhook may change
 * (request-validation.ts MODIFIABLE_PARAMS), in the table's order: a changed
 * request passes them again, as if the client had sent it.
 */
const RECHECKS: readonly Check<TrustedRequest>[] = [
  checkScope,
  checkPrompt,
  checkMaxAge,
  checkDisplay,
  checkClaims,
  checkHints,
];

/** A changed request, checked again; on success the request becomes it (params and what the checks established). */
function applyChanges(s: TrustedRequest, changes: Record<string, string | null>): Refusal | undefined {
  const params = withChanges(s.params, changes);
  // What the rechecks establish starts afresh; what other checks established stays.
  const { nonce, codeChallenge, codeChallengeMethod, hintSub } = s.established;
  const established = {
    scope: [],
    prompt: [],
    display: 'page',
    ...(nonce !== undefined ? { nonce } : {}),
    ...(codeChallenge !== undefined ? { codeChallenge, codeChallengeMethod: codeChallengeMethod! } : {}),
    ...(hintSub !== undefined ? { hintSub } : {}),
  };
  const candidate: TrustedRequest = { ...s, params, established };
  for (const check of RECHECKS) {
    const refusal = check(candidate) as Refusal | undefined; // every recheck is synchronous
    if (refusal)
      return refuse(
        refusal.error,
        `The request as the tenant's validator changed it is refused: ${refusal.description}`,
      );
  }
  // The state's objects are shared with the caller, which builds the request from them.
  const target = s.params as Record<string, string>;
  for (const name of Object.keys(target)) if (!(name in params)) delete target[name];
  Object.assign(target, params);
  for (const name of Object.keys(s.established)) delete (s.established as unknown as Record<string, unknown>)[name];
  Object.assign(s.established, established);
  return undefined;
}

async function viaWebhook(s: TrustedRequest, target: SlotTargetConfig): Promise<Refusal | undefined> {
  if (!s.deps.webhooks) throw new Error('authorizationRequestValidator: no webhook invoker');
  let verdict: Awaited<ReturnType<typeof askRequestValidator>>;
  try {
    verdict = await askRequestValidator(
      s.deps.webhooks,
      s.context.tenant.tid,
      'authorizationRequestValidator',
      target,
      s.client.clientId,
      s.params,
    );
  } catch (err) {
    // Fail closed, back to the client: RFC 6749 §4.1.2.1 has a code for it.
    if (err instanceof HttpError && err.statusCode === 503) return refuse('temporarily_unavailable', err.message);
    throw err;
  }
  if (verdict.kind === 'accept') return undefined;
  if (verdict.kind === 'refuse') return refuse(verdict.refusal.error, verdict.refusal.description);
  return applyChanges(s, verdict.changes);
}

/**
 * The tenant's authorisation request validator (plugin slot): the last
 * check, after the standard ones, so it sees a request they accept, and the
 * client and redirect URI are trusted — its refusals go back to the client.
 * Without the slot it is a property read; the built-in is synchronous.
 */
export const checkRequestValidator: Check<TrustedRequest> = (s) => {
  const config = slotConfigOf(s.context, 'authorizationRequestValidator');
  if (!config) return undefined;
  if (config.type === 'builtin') return requestRulesRefusal(config, s.params, s.established.scope);
  return viaWebhook(s, config);
};
