import { displayUserCode, normaliseUserCode } from '../device/user-code.ts';
import type { AuthorizationRequest } from './authorization-request.ts';
import { type AuthzMessage, beginAuthzSession, type FlowContext } from './authz-flow.ts';

/** What a user code that leads nowhere answers (the same whatever the reason, so a guess learns nothing). */
export const UNKNOWN_USER_CODE = {
  type: 'error',
  error: 'invalid_request',
  error_description: 'Unknown or expired user code',
} as const;

/**
 * Start the end-user's side of a device flow (RFC 8628 §3.3) with the user
 * code they entered (any case, dashes and spaces allowed): the same `auth`
 * and `consent` steps as an authorisation request, for the device's client
 * and scope, ending with mode `device` (authz/device-decision.ts). Consent
 * is always asked: the end-user must see which application on which device
 * they let in, or a code read out by an attacker could be approved unseen
 * (§5.4, remote phishing).
 */
export async function startDeviceSession(
  flow: FlowContext,
  input: { userCode: string; subSid?: string | undefined },
): Promise<AuthzMessage> {
  const { context, issuer, deps } = flow;
  const userCode = normaliseUserCode(input.userCode);
  const found = userCode ? await deps.oauth.deviceRequests.findByUserCode(context.tenant.tid, userCode) : null;
  // A code made under another issuer URL of the tenant is finished there (its tokens carry that issuer).
  if (!found || found.request.issuer !== issuer) return { ...UNKNOWN_USER_CODE };
  const client = await deps.clients.get(context.tenant.tid, found.request.clientId);
  if (!client) return { ...UNKNOWN_USER_CODE };
  const scope = found.request.scope;
  const request: AuthorizationRequest = {
    clientId: client.clientId,
    redirectUri: '',
    redirectUriGiven: false,
    responseType: [],
    responseMode: 'query',
    scope,
    prompt: ['consent'],
    display: 'page',
    params: { client_id: client.clientId, scope: scope.join(' '), user_code: displayUserCode(userCode!) },
  };
  return beginAuthzSession(flow, request, client, input.subSid, { device: { handle: found.handle } });
}
