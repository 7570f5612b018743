import type { Client } from '@tessera/shared/clients/client';
import { CLIENT_AUTH_METHODS } from '../client-auth/index.ts';
import { clientRequest } from '../oauth/client-request.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import { inspectAccessToken } from '../oauth/token-inspection.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import type { DataPlaneDeps, Endpoint } from './endpoint.ts';

/**
 * Revoke everything a client holds for a subject: the persisted
 * authorisation (and with it every refresh token), and, through the
 * revocation journal, every access token issued so far.
 */
async function revokeGrant(context: TenantContext, deps: DataPlaneDeps, sub: string, cid: string): Promise<void> {
  const tid = context.tenant.tid;
  await deps.oauth.authorizations.delete(tid, { sub, cid });
  await deps.oauth.journal.revoke(tid, { sub, cid });
}

/** What the token stands for, if it is a token of this tenant held by `client`. */
async function grantOf(context: TenantContext, issuer: string, client: Client, token: string, deps: DataPlaneDeps): Promise<{ sub: string; identifier?: string } | null> {
  const tid = context.tenant.tid;
  const access = await inspectAccessToken(context, issuer, token, deps);
  if (access) return access.cid === client.clientId ? { sub: access.sub, ...(access.identifier ? { identifier: access.identifier } : {}) } : null;
  const row = await deps.oauth.refreshTokens.find(tid, context.secrets['identifier-hmac'], token);
  if (row) {
    const stored = await deps.oauth.authorizations.get(tid, row.authorizationId);
    return stored && stored.authz.cid === client.clientId ? { sub: stored.authz.sub } : null;
  }
  const transient = await deps.oauth.issuer.decodeTransientRefreshToken(context, token);
  return transient && transient.authz.cid === client.clientId ? { sub: transient.authz.sub } : null;
}

/**
 * RFC 7009 token revocation. Revoking an access or refresh token revokes
 * the whole grant of that client and subject. Unknown, foreign or already
 * invalid tokens get 200 too (§2.2): nothing is revealed.
 */
export const revocationEndpoint: Endpoint = {
  name: 'revocation',
  register(app, deps) {
    app.post('/token/revoke', { bodyLimit: 50_000 }, async (request, reply) => {
      const { params, client } = await clientRequest(request, deps, '/token/revoke');
      if (!params.token) throw oauthError('invalid_request', 'Missing token');
      const grant = await grantOf(request.tenant!, request.issuer!, client, params.token, deps);
      if (grant) {
        if (grant.identifier) await deps.oauth.accessTokens.delete(request.tenant!.tenant.tid, grant.identifier);
        await revokeGrant(request.tenant!, deps, grant.sub, client.clientId);
      }
      return reply.header('cache-control', 'no-store').code(200).send();
    });
  },
  metadata: (_context, issuer) => ({
    revocation_endpoint: `${issuer}/token/revoke`,
    revocation_endpoint_auth_methods_supported: Object.keys(CLIENT_AUTH_METHODS),
  }),
};
