import { Type } from '@sinclair/typebox';
import { grantTypesOf } from '@tessera/shared/clients/client';
import { jsonAnswer } from '../core/core-answer.ts';
import type { Endpoint } from '../core/endpoint.ts';
import { route } from '../core/route.ts';
import { type Step, step } from '../core/step.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { DEVICE_CODE_GRANT } from '../device/device-grant-type.ts';
import { displayUserCode } from '../device/user-code.ts';
import { type DpopState, dpopProof } from '../dpop/dpop-step.ts';
import { grantedScope, parseScope } from '../grants/scope.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import { epochSeconds } from '../ports/clock.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { authenticateClient, type ClientState } from './steps/authenticate-client.ts';
import { formBody } from './steps/form-body.ts';

/** As at the token endpoint. */
const BODY_LIMIT = 50_000;

/** RFC 8628 §3.2. */
const DeviceAuthorizationBody = Type.Object(
  {
    device_code: Type.String(),
    user_code: Type.String(),
    verification_uri: Type.String(),
    verification_uri_complete: Type.String(),
    expires_in: Type.Integer(),
    interval: Type.Integer(),
  },
  { additionalProperties: true },
);

/** Whether the tenant runs the device flow (its config lists the grant). */
export const deviceFlowEnabled = (context: TenantContext): boolean =>
  (context.tenant.config.grants.grantTypes as readonly string[]).includes(DEVICE_CODE_GRANT);

/** The tenant enables the grant and the client registered it; a `client_id` names the client that authenticated. */
const checkDeviceClient = step<ClientState>('checkDeviceClient', (x) => {
  const client = x.state.client!;
  if (!deviceFlowEnabled(x.request.tenant))
    throw oauthError('unsupported_grant_type', 'The device authorization grant is not enabled for this tenant');
  if (!grantTypesOf(client).includes(DEVICE_CODE_GRANT))
    throw oauthError('unauthorized_client', `The client is not registered for ${DEVICE_CODE_GRANT}`);
  const { client_id } = x.state.params!;
  if (client_id !== undefined && client_id !== client.clientId)
    throw oauthError('invalid_request', 'client_id does not match the authenticated client');
});

/** The device code and user code (§3.2), for the scope the client may have (checked as at the token endpoint). */
type DeviceState = ClientState & DpopState;

const issueDeviceCodes = (deps: DataPlaneDeps): Step<DeviceState> =>
  step<DeviceState>('issueDeviceCodes', async (x) => {
    const { tenant, issuer } = x.request;
    const { tid, config } = tenant.tenant;
    const client = x.state.client!;
    const scope = grantedScope(config, client, parseScope(x.state.params!.scope));
    const expiresIn = config.tokens.deviceCodeLifetime;
    const interval = config.tokens.devicePollInterval;
    const { deviceCode, userCode } = await deps.oauth.deviceRequests.create(tid, tenant.secrets['identifier-hmac'], {
      issuer,
      clientId: client.clientId,
      scope,
      exp: epochSeconds(deps.oauth.clock) + expiresIn,
      interval,
      ...(x.state.dpop ? { dpopJkt: x.state.dpop.jkt } : {}),
    });
    const shown = displayUserCode(userCode);
    return jsonAnswer({
      device_code: deviceCode,
      user_code: shown,
      verification_uri: `${issuer}/device`,
      verification_uri_complete: `${issuer}/device?${new URLSearchParams({ user_code: shown })}`,
      expires_in: expiresIn,
      interval,
    });
  });

/**
 * The device authorisation endpoint (RFC 8628 §3.1–3.2) at `/device-authz`:
 * a client registered for the device code grant authenticates as at the
 * token endpoint (a public one with its `client_id`) and gets a device code
 * to poll the token endpoint with and a user code for the end-user to enter
 * at `/device` (login/device-endpoint.ts). A DPoP proof here binds the
 * device code: only that key may poll (RFC 9449). Steps: formBody →
 * authenticateClient → checkDeviceClient → dpopProof → issueDeviceCodes.
 */
export const deviceAuthorizationEndpoint: Endpoint = {
  name: 'device-authz',
  area: 'back-channel',
  routes: (deps) => [
    route<DeviceState>({
      name: 'device-authz',
      method: 'POST',
      path: '/device-authz',
      bodyLimit: BODY_LIMIT,
      cors: 'clients',
      schema: { response: { 200: DeviceAuthorizationBody } },
      steps: [
        formBody,
        authenticateClient(deps, '/device-authz'),
        checkDeviceClient,
        dpopProof(deps, 'par'),
        issueDeviceCodes(deps),
      ],
    }),
  ],
  metadata: (context, issuer) =>
    deviceFlowEnabled(context) ? { device_authorization_endpoint: `${issuer}/device-authz` } : {},
};
