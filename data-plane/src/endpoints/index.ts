import type { Endpoint } from '../core/endpoint.ts';
import { authzSessionApi } from '../integration/authz-session-api.ts';
import { authzStoreApi } from '../integration/authz-store-api.ts';
import { directAuthzApi } from '../integration/direct-authz-api.ts';
import { directoryApi } from '../integration/directory-api.ts';
import { keyStoreApi } from '../integration/key-store-api.ts';
import { logoutSessionApi } from '../integration/logout-session-api.ts';
import { resourceServerApi } from '../integration/resource-server-api.ts';
import { sessionStoreApi } from '../integration/session-store-api.ts';
import { checkSessionEndpoint } from '../login/check-session.ts';
import { deviceEndpoint } from '../login/device-endpoint.ts';
import { loginEndpoint } from '../login/login-endpoint.ts';
import { backchannelLogout } from '../logout/backchannel-logout.ts';
import { logoutEndpoint } from '../logout/logout-endpoint.ts';
import { openApiEndpoint } from '../openapi/openapi-endpoint.ts';
import { deviceAuthorizationEndpoint } from './device-authz.ts';
import { discoveryEndpoint } from './discovery.ts';
import { introspectionEndpoint } from './introspect.ts';
import { jwksEndpoint } from './jwks.ts';
import { parEndpoint } from './par.ts';
import { registrationEndpoint } from './registration.ts';
import { revocationEndpoint } from './revoke.ts';
import { tokenEndpoint } from './token.ts';
import { userinfoEndpoint } from './userinfo.ts';

/** Every tenant endpoint and integration API of the data plane, in registration order. One line each. */
export const ENDPOINTS: readonly Endpoint[] = [
  discoveryEndpoint,
  jwksEndpoint,
  registrationEndpoint,
  tokenEndpoint,
  parEndpoint,
  deviceAuthorizationEndpoint,
  loginEndpoint,
  deviceEndpoint,
  checkSessionEndpoint,
  logoutEndpoint,
  introspectionEndpoint,
  revocationEndpoint,
  directAuthzApi,
  authzStoreApi,
  keyStoreApi,
  directoryApi,
  authzSessionApi,
  logoutSessionApi,
  resourceServerApi,
  sessionStoreApi,
  userinfoEndpoint,
  backchannelLogout,
  // Last: it documents the APIs above (it reads this table at its first request).
  openApiEndpoint(() => ENDPOINTS),
];
