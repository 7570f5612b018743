import type { Client } from '@tessera/shared/clients/client';
import { words } from '../authz/checks/values.ts';
import { type Step, step } from '../core/step.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import type { SlotInvoker } from '../ports/slot-invoker.ts';
import type { SlotTargetConfig } from './call-slot.ts';
import { askRequestValidator, requestRulesRefusal, withChanges } from './request-validation.ts';
import { slotConfigOf } from './slot-config.ts';

/** What the PAR route's state holds by then: the authenticated client and the parameters pushed. */
interface PushedState {
  client?: Client;
  pushed?: Record<string, string>;
}

async function viaWebhook(
  invoker: SlotInvoker,
  tid: string,
  target: SlotTargetConfig,
  state: PushedState,
): Promise<undefined> {
  const verdict = await askRequestValidator(
    invoker,
    tid,
    'parValidator',
    target,
    state.client!.clientId,
    state.pushed!,
  );
  if (verdict.kind === 'refuse') throw oauthError(verdict.refusal.error, verdict.refusal.description);
  // The authorisation endpoint runs every standard check on the stored request when it is used.
  if (verdict.kind === 'modify') state.pushed = withChanges(state.pushed!, verdict.changes);
  return undefined;
}

/**
 * The tenant's PAR validator (plugin slot), before the pushed request is
 * stored: the built-in rules, or the webhook, which accepts, refuses (an
 * RFC 9126 §2.3 error answer) or changes the request. Fails closed (503).
 * Without the slot the step is a property read.
 */
export const validatePushedRequest = <S extends PushedState>(invoker: SlotInvoker | undefined): Step<S> =>
  step<S>('validatePushedRequest', (x) => {
    const config = slotConfigOf(x.request.tenant, 'parValidator');
    if (!config) return undefined;
    const pushed = x.state.pushed!;
    if (config.type === 'builtin') {
      const refusal = requestRulesRefusal(config, pushed, words(pushed.scope));
      if (refusal) throw oauthError(refusal.error, refusal.description);
      return undefined;
    }
    if (!invoker) throw new Error('parValidator: no webhook invoker');
    return viaWebhook(invoker, x.request.tenant.tenant.tid, config, x.state);
  });
