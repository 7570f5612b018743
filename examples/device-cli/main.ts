/**
 * CLI / TV: the device authorisation grant (RFC 8628) with openid-client 6.
 * The device asks for a user code, tells its user where to enter it, and
 * polls the token endpoint until she has signed in and approved on another
 * device (phone, laptop) at the tenant's /device page.
 *
 *   TESSERA_ISSUER=http://localhost:8080/demo CLIENT_ID=… node --import tsx examples/device-cli/main.ts
 *
 * A public client (no secret) as a CLI usually is; set CLIENT_SECRET for a confidential one.
 */
import * as oidc from 'openid-client';
import { discover } from '../shared/discover.ts';
import { env } from '../shared/env.ts';

const config = await discover(
  process.env.CLIENT_SECRET ? oidc.ClientSecretBasic(process.env.CLIENT_SECRET) : oidc.None(),
);

const device = await oidc.initiateDeviceAuthorization(config, { scope: env('SCOPE', 'openid profile') });
console.log(`To sign in, open ${device.verification_uri} and enter the code ${device.user_code}`);
if (device.verification_uri_complete) console.log(`(or open ${device.verification_uri_complete})`);

// Polls at the interval the server asks for, slower after slow_down; throws on access_denied or expired_token.
const tokens = await oidc.pollDeviceAuthorizationGrant(config, device);
const claims = tokens.claims();
const userinfo = claims ? await oidc.fetchUserInfo(config, tokens.access_token, claims.sub) : undefined;
console.log(
  `signed in: ${JSON.stringify({ id_token_claims: claims, userinfo, scope: tokens.scope, expires_in: tokens.expires_in, refresh_token: tokens.refresh_token !== undefined })}`,
);
