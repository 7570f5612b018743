import type { Client } from '@tessera/shared/clients/client';
import { authorizationRevokedEvent } from '../authz/authorization-revoked-event.ts';
import { CLIENT_AUTH_METHODS } from '../client-auth/index.ts';
import { emptyAnswer } from '../core/core-answer.ts';
import type { Endpoint } from '../core/endpoint.ts';
import { route } from '../core/route.ts';
import { type Step, step } from '../core/step.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import { inspectAccessToken } from '../oauth/token-inspection.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { authenticateClient, type ClientState } from './steps/authenticate-client.ts';
import { formBody } from './steps/form-body.ts';

/** What the token stands for, if it is a token of this tenant held by `client`. */
async function grantOf(
  context: TenantContext,
  issuer: string,
  client: Client,
  token: string,
  deps: DataPlaneDeps,
): Promise<{ sub: string; identifier?: string } | null> {
  const tid = context.tenant.tid;
  const access = await inspectAccessToken(context, issuer, token, deps);
  if (access)
    return access.cid === client.clientId
      ? { sub: access.sub, ...(access.identifier ? { identifier: access.identifier } : {}) }
      : null;
  const row = await deps.oauth.refreshTokens.find(tid, context.secrets['identifier-hmac'], token);
  if (row) {
    const stored = await deps.oauth.authorizations.get(tid, row.authorizationId);
    return stored && stored.authz.cid === client.clientId ? { sub: stored.authz.sub } : null;
  }
  const transient = await deps.oauth.issuer.decodeTransientRefreshToken(context, token);
  return transient && transient.authz.cid === client.clientId ? { sub: transient.authz.sub } : null;
}

const requireToken = step<ClientState>('requireToken', (x) => {
  if (!x.state.params!.token) throw oauthError('invalid_request', 'Missing token');
});

/**
 * Revoke everything the client holds for the token's subject: the persisted
 * authorisation (and with it every refresh token), and, through the
 * revocation journal, every access token issued so far. Unknown, foreign or
 * already invalid tokens get 200 too (§2.2): nothing is revealed.
 */
const revokeGrant = (deps: DataPlaneDeps): Step<ClientState> =>
  step<ClientState>('revokeGrant', async (x) => {
    const { tenant, issuer } = x.request;
    const client = x.state.client!;
    const grant = await grantOf(tenant, issuer, client, x.state.params!.token!, deps);
    if (grant) {
      const tid = tenant.tenant.tid;
      if (grant.identifier) await deps.oauth.accessTokens.delete(tid, grant.identifier);
      await deps.oauth.authorizations.delete(tid, { sub: grant.sub, cid: client.clientId });
      await deps.oauth.journal.revoke(tid, { sub: grant.sub, cid: client.clientId });
      await deps.events.emit(
        authorizationRevokedEvent(
          tid,
          `client:${client.clientId}`,
          { sub: grant.sub, cid: client.clientId },
          'revocation_endpoint',
        ),
      );
    }
    return emptyAnswer(200);
  });

/**
 * RFC 7009 token revocation: revoking an access or refresh token revokes the
 * whole grant of that client and subject. Steps: formBody →
 * authenticateClient → requireToken → revokeGrant.
 */
export const revocationEndpoint: Endpoint = {
  name: 'revocation',
  area: 'back-channel',
  routes: (deps) => [
    route<ClientState>({
      name: 'revocation',
      method: 'POST',
      path: '/token/revoke',
      bodyLimit: 50_000,
      cors: 'clients',
      steps: [formBody, authenticateClient(deps, '/token/revoke'), requireToken, revokeGrant(deps)],
    }),
  ],
  metadata: (_context, issuer) => ({
    revocation_endpoint: `${issuer}/token/revoke`,
    revocation_endpoint_auth_methods_supported: Object.keys(CLIENT_AUTH_METHODS),
  }),
};
