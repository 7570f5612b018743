import { tokenDimension } from '@tessera/shared/billing/metrics';
import { DEVICE_CODE_GRANT } from '../device/device-grant-type.ts';
import { boundTo, refreshTokenBinding } from '../dpop/token-binding.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import { idTokenForAuthorization } from '../tokens/id-token-issuer.ts';
import type { GrantHandler } from './grant.ts';

/** The usage dimension its tokens are metered under. */
const TOKENS = tokenDimension(DEVICE_CODE_GRANT);

/**
 * RFC 8628 §3.4–3.5: the device polls with its device code until the
 * end-user has decided at `/device` (or through the authorisation session
 * API): `authorization_pending` until then, `slow_down` when it polls
 * sooner than its interval (which grows by 5 s, in the store, atomically),
 * `access_denied` after a denial, `expired_token` past the code's life. An
 * approval is redeemed once, for the client the code was issued to, under
 * the issuer it was issued under; its tokens are issued as for an
 * authorisation code (bound to a DPoP key the poll proves) (access token, refresh token where the consent allowed
 * one, an ID token for `openid`).
 */
export const deviceCodeGrant: GrantHandler = {
  grantType: DEVICE_CODE_GRANT,
  async handle({ tenant, issuer, client, params, deps, usage, dpopJkt }) {
    const { tid } = tenant.tenant;
    const code = params.device_code;
    if (!code) throw oauthError('invalid_request', 'Missing device_code');
    const poll = await deps.oauth.deviceRequests.poll(
      tid,
      tenant.secrets['identifier-hmac'],
      code,
      client.clientId,
      dpopJkt,
    );
    if (!poll) throw oauthError('invalid_grant', 'Invalid device code');
    switch (poll.status) {
      case 'pending':
        throw oauthError('authorization_pending', 'The end-user has not decided yet');
      case 'slow_down':
        throw oauthError('slow_down', `Polling too fast: wait ${poll.request.interval} seconds between polls`);
      case 'denied':
        throw oauthError('access_denied', 'The end-user denied the request');
      case 'expired':
        throw oauthError('expired_token', 'The device code has expired');
      case 'used':
        throw oauthError('invalid_grant', 'The device code was already used');
      // Proved a DPoP key at /device-authz: polls prove that key (as dpop_jkt binds a code, RFC 9449 §10).
      case 'wrong_key':
        throw oauthError(
          'invalid_grant',
          'The device code is bound to a DPoP key: the token request must prove that key',
        );
    }
    const { authz, ...authentication } = poll.approval;
    if (poll.request.issuer !== issuer)
      throw oauthError('invalid_grant', 'The device code was issued under another issuer');
    // Bound to the DPoP key the poll proved, a public device's refresh token too (RFC 9449 §5), as for a code.
    const response = await deps.oauth.issuer.issue(tenant, boundTo(authz, dpopJkt), {
      refreshJkt: refreshTokenBinding(client, dpopJkt),
    });
    if (authz.scp.includes('openid')) {
      response.id_token = await idTokenForAuthorization(tenant, deps, {
        issuer,
        client,
        authz,
        authentication: {
          authTime: authentication.authTime,
          acr: authentication.acr,
          amr: authentication.amr,
          claims: authentication.sessionClaims,
        },
        accessToken: response.access_token,
      });
    }
    if (!response.scope) response.scope = authz.scp.join(' ');
    usage?.meter(TOKENS, authz.sub);
    return response;
  },
};
