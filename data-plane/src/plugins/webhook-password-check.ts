import { callSlotTarget, type SlotTargetConfig } from './call-slot.ts';
import type { PasswordCheckRun } from './password-check.ts';
import { badAnswer } from './slot-answer.ts';

/** A subject identifier as the rest of the product takes one (no control characters, bounded). */
const usableSub = (sub: unknown): sub is string =>
  typeof sub === 'string' && /^[^\u0000-\u001f\u007f]{1,255}$/.test(sub);

/**
 * The password handler as a webhook (docs/plugins/password-grant.md): POST
 * `{username, password[, client_id]}` to the tenant's own HTTPS endpoint,
 * signed; answer `{sub}` or `{sub: null}` for wrong credentials. Fails
 * closed. The password is in the payload only: never logged, never in an
 * event (the invoker logs the slot and the failure, not the body).
 */
export const webhookPasswordCheck: PasswordCheckRun<SlotTargetConfig> = async (deps, context, config, attempt) => {
  const answer = await callSlotTarget(deps.webhooks, context.tenant.tid, 'passwordGrant', config, {
    username: attempt.username,
    password: attempt.password,
    ...(attempt.clientId !== undefined ? { client_id: attempt.clientId } : {}),
  });
  const sub = answer?.sub;
  if (sub === null) return null;
  if (!usableSub(sub)) throw badAnswer('passwordGrant', 'sub is neither null nor a usable subject identifier');
  return { sub };
};
