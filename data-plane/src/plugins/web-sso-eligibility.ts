import { HttpError } from '@tessera/shared/http/errors';
import type { AuthorizationRequest } from '../authz/authorization-request.ts';
import type { SlotInvoker } from '../ports/slot-invoker.ts';
import type { SubjectSession } from '../ports/subject-session-store.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { callSlotTarget, type SlotTargetConfig } from './call-slot.ts';
import { slotConfigOf } from './slot-config.ts';

/** Parameters never sent: a token, and the request object already unpacked into the others. */
const WITHHELD = new Set(['request', 'id_token_hint']);

async function askWebhook(
  invoker: SlotInvoker,
  tid: string,
  target: SlotTargetConfig,
  request: AuthorizationRequest,
  session: SubjectSession,
): Promise<boolean> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.params)) if (!WITHHELD.has(name)) params[name] = value;
  const payload = {
    sub: session.sub,
    client_id: request.clientId,
    session: {
      auth_time: session.authTime,
      ...(session.acr !== undefined ? { acr: session.acr } : {}),
      ...(session.amr !== undefined ? { amr: session.amr } : {}),
    },
    params,
  };
  try {
    const answer = await callSlotTarget(invoker, tid, 'webSsoEligibility', target, payload);
    return answer?.eligible === true;
  } catch (err) {
    // Fail closed here means "not eligible": the end-user signs in again, the flow goes on.
    if (err instanceof HttpError && err.statusCode === 503) return false;
    throw err;
  }
}

/**
 * The tenant's web SSO eligibility checker (plugin slot): whether an
 * existing subject session, which the standard rules would reuse, may skip
 * the login page for this request. Only a webhook; anything but
 * `{eligible: true}` — a failure included — means the end-user signs in
 * again. Without the slot: true, synchronously.
 */
export function webSsoEligible(
  context: TenantContext,
  invoker: SlotInvoker | undefined,
  request: AuthorizationRequest,
  session: SubjectSession,
): boolean | Promise<boolean> {
  const config = slotConfigOf(context, 'webSsoEligibility');
  if (!config) return true;
  if (!invoker) throw new Error('webSsoEligibility: no webhook invoker');
  return askWebhook(invoker, context.tenant.tid, config, request, session);
}
