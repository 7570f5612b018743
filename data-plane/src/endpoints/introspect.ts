import { authMethodOf } from '@tessera/shared/clients/client';
import { bearerToken } from '@tessera/shared/http/api-token';
import { currentKey } from '@tessera/shared/keys/key-lifecycle';
import { signCompactJws } from '@tessera/shared/keys/jws';
import { CLIENT_AUTH_METHODS } from '../client-auth/index.ts';
import { clientRequest } from '../oauth/client-request.ts';
import { opensIntrospection } from '../oauth/introspection-scope.ts';
import { formParams, oauthError } from '../oauth/oauth-error.ts';
import type { OAuthRequest } from '../oauth/oauth-request.ts';
import { inspectAccessToken, introspectionMembers, type ActiveToken } from '../oauth/token-inspection.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import type { DataPlaneDeps, Endpoint } from './endpoint.ts';

const JWT_TYPE = 'application/token-introspection+jwt';

/** Who is asking: an authenticated confidential client, or the holder of an access token with the introspection scope. */
interface Caller {
  params: Record<string, string>;
  clientId?: string;
}

async function caller(request: OAuthRequest, deps: DataPlaneDeps): Promise<Caller> {
  const bearer = bearerToken(request.headers.authorization);
  if (!bearer) {
    const { params, client } = await clientRequest(request, deps, '/token/introspect');
    // Discovery lists no `none` here: a public client proves nothing, so it may not learn about tokens.
    if (authMethodOf(client) === 'none') throw oauthError('invalid_client', 'Public clients may not introspect tokens');
    return { params, clientId: client.clientId };
  }
  const holder = await inspectAccessToken(request.tenant!, request.issuer!, bearer, deps);
  if (!holder || !opensIntrospection(holder.scp, request.issuer!)) {
    throw oauthError('invalid_token', 'The bearer token may not introspect', { status: 401, challenge: 'Bearer error="invalid_token"' });
  }
  return { params: formParams(request.body) };
}

/**
 * RFC 7662 §2.1: what a caller may learn about a token. A client: the tokens
 * issued to it, those whose audience names it, and every token when the
 * tenant lists it as a resource server; a bearer token with the
 * introspection scope: every token. Identifier tokens restricted to an
 * audience stay inactive for everyone outside it (Connect2id).
 */
function mayIntrospect(context: TenantContext, active: ActiveToken, clientId: string | undefined): boolean {
  const audience = clientId !== undefined && (active.aud?.includes(clientId) ?? false);
  if (active.kind === 'identifier' && active.aud && !audience) return false;
  if (clientId === undefined) return true;
  return active.cid === clientId || audience || context.tenant.config.introspection.resourceServers.includes(clientId);
}

/** RFC 7662 §2.2 / RFC 6749 §5.1: introspection answers are never cached. */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;
const BODY_LIMIT = 50_000;

/** The introspection answer (RFC 7662 §2.2) for whoever asks. */
async function introspection(request: OAuthRequest, deps: DataPlaneDeps): Promise<{ body: Record<string, unknown>; clientId: string | undefined }> {
  const { params, clientId } = await caller(request, deps);
  if (!params.token) throw oauthError('invalid_request', 'Missing token');
  const active = await inspectAccessToken(request.tenant!, request.issuer!, params.token, deps);
  const visible = active && mayIntrospect(request.tenant!, active, clientId);
  return { body: visible ? introspectionMembers(active, clientId) : { active: false }, clientId };
}

const wantsJwt = (accept: string | undefined) => (accept ?? '').includes(JWT_TYPE);

/**
 * RFC 7662 token introspection, with the JWT response of RFC 9701 when the
 * caller accepts `application/token-introspection+jwt`. Who may see which
 * token: mayIntrospect.
 */
export const introspectionEndpoint: Endpoint = {
  name: 'introspection',
  register(app, deps) {
    app.post('/token/introspect', { bodyLimit: BODY_LIMIT }, async (request, reply) => {
      const { body, clientId } = await introspection(request, deps);
      reply.headers(NO_STORE);
      if (!wantsJwt(request.headers.accept)) return reply.send(body);

      const { tid, config } = request.tenant!.tenant;
      const key = currentKey(request.tenant!.keys, config.keys.accessTokenSigningAlgorithm);
      if (!key) throw oauthError('server_error', 'No signing key', { status: 500 });
      const jwt = await signCompactJws(
        deps.keyStores.for(key.backend),
        tid,
        key,
        { iss: request.issuer!, ...(clientId ? { aud: clientId } : {}), iat: Math.floor(Date.now() / 1000), token_introspection: body },
        { typ: 'token-introspection+jwt' },
      );
      return reply.type(JWT_TYPE).send(jwt);
    });
  },
  metadata: (context, issuer) => ({
    introspection_endpoint: `${issuer}/token/introspect`,
    introspection_endpoint_auth_methods_supported: Object.keys(CLIENT_AUTH_METHODS).filter((m) => m !== 'none'),
    // JWT responses are signed with the tenant's access-token key (RFC 9701 §7)
    introspection_signing_alg_values_supported: [context.tenant.config.keys.accessTokenSigningAlgorithm],
  }),
};
