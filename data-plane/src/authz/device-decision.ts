import type { Authorization } from '@tessera/shared/authz/authorization';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import type { DeviceBinding } from '../ports/authz-session-store.ts';
import type { SubjectSession } from '../ports/subject-session-store.ts';
import { isolatesGrants } from '../tenancy/alias-mode.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';

/** What a device decision needs of the flow (authz-flow.ts FlowContext). */
interface DecidingFlow {
  context: TenantContext;
  issuer: string;
  deps: DataPlaneDeps;
}

/**
 * The final message of a device flow (contract §4: mode `device`): nothing
 * to relay to a client, which polls the token endpoint. `parameters` is
 * empty when the device got its approval; otherwise it says why not
 * (`access_denied` after a denial, `expired_token` when the device request
 * ended or was decided meanwhile).
 */
export interface DeviceResponseMessage {
  type: 'response';
  mode: 'device';
  parameters: { error?: string; error_description?: string };
  sub_sid?: string;
}

const ended = (): DeviceResponseMessage => ({
  type: 'response',
  mode: 'device',
  parameters: { error: 'expired_token', error_description: 'The device request has expired or was already decided' },
});

/**
 * The end-user approved: the device request gets the authorisation and the
 * authentication behind it (its ID token's auth_time, acr, amr and session
 * claims), for the device's next poll. A long-lived consent is remembered
 * as at the authorisation endpoint.
 */
export async function approveDevice(
  flow: DecidingFlow,
  device: DeviceBinding,
  subject: { sid: string; session: SubjectSession },
  authz: Authorization,
): Promise<DeviceResponseMessage> {
  const { context, issuer, deps } = flow;
  const { tid } = context.tenant;
  const s = subject.session;
  const approved = await deps.oauth.deviceRequests.approve(tid, device.handle, {
    authz,
    authTime: s.authTime,
    ...(s.acr ? { acr: s.acr } : {}),
    ...(s.amr ? { amr: s.amr } : {}),
    sessionClaims: { ...s.claims, ...authz.idp },
  });
  if (!approved) return ended();
  if (authz.longLived && !isolatesGrants(context.tenant, issuer)) await deps.oauth.authorizations.upsert(tid, authz);
  return { type: 'response', mode: 'device', parameters: {} };
}

/** The end-user refused (or the login page cancelled): the device's next poll hears `access_denied`. */
export async function denyDevice(flow: DecidingFlow, device: DeviceBinding): Promise<DeviceResponseMessage> {
  const denied = await flow.deps.oauth.deviceRequests.deny(flow.context.tenant.tid, device.handle);
  if (!denied) return ended();
  return {
    type: 'response',
    mode: 'device',
    parameters: { error: 'access_denied', error_description: 'The end-user denied the request' },
  };
}
