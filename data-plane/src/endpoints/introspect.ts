import { authMethodOf } from '@tessera/shared/clients/client';
import { bearerToken } from '@tessera/shared/http/api-token';
import { signCompactJws } from '@tessera/shared/keys/jws';
import { currentKey } from '@tessera/shared/keys/key-lifecycle';
import { clockDate, epochSeconds } from '@tessera/shared/time/clock';
import { CLIENT_AUTH_METHODS } from '../client-auth/index.ts';
import { jsonAnswer, textAnswer } from '../core/core-answer.ts';
import type { Endpoint } from '../core/endpoint.ts';
import { route } from '../core/route.ts';
import { type Step, step } from '../core/step.ts';
import { when } from '../core/when.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { opensIntrospection } from '../oauth/introspection-scope.ts';
import { formParams, oauthError } from '../oauth/oauth-error.ts';
import { type ActiveToken, inspectAccessToken, introspectionMembers } from '../oauth/token-inspection.ts';
import { composeIntrospection } from '../plugins/introspection-composer.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { authenticateClient, type ClientState } from './steps/authenticate-client.ts';
import { formBody } from './steps/form-body.ts';

const JWT_TYPE = 'application/token-introspection+jwt';
const BODY_LIMIT = 50_000;

interface IntrospectionState extends ClientState {
  /** The caller is the holder of an access token with the introspection scope, not a client. */
  bearer?: boolean;
  /** The RFC 7662 §2.2 answer. */
  answer?: Record<string, unknown>;
}

const byClient = (x: { state: IntrospectionState }) => x.state.bearer !== true;

/** A bearer caller: its token must be active here and carry the introspection scope (urn:c2id:introspection_endpoint …). */
const bearerCaller = (deps: DataPlaneDeps): Step<IntrospectionState> =>
  step<IntrospectionState>('bearerCaller', async (x) => {
    const bearer = bearerToken(x.request.headers.authorization);
    if (!bearer) return;
    const { tenant, issuer } = x.request;
    const holder = await inspectAccessToken(tenant, issuer, bearer, deps);
    if (!holder || !opensIntrospection(holder.scp, issuer)) {
      throw oauthError('invalid_token', 'The bearer token may not introspect', {
        status: 401,
        challenge: 'Bearer error="invalid_token"',
      });
    }
    x.state.bearer = true;
    x.state.params = formParams(x.request.body);
  });

/** Discovery lists no `none` here: a public client proves nothing, so it may not learn about tokens. */
const refusePublicClient = step<IntrospectionState>('refusePublicClient', (x) => {
  if (authMethodOf(x.state.client!) === 'none')
    throw oauthError('invalid_client', 'Public clients may not introspect tokens');
});

const requireToken = step<IntrospectionState>('requireToken', (x) => {
  if (!x.state.params!.token) throw oauthError('invalid_request', 'Missing token');
});

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

const inspectToken = (deps: DataPlaneDeps): Step<IntrospectionState> =>
  step<IntrospectionState>('inspectToken', async (x) => {
    const { tenant, issuer } = x.request;
    const clientId = x.state.client?.clientId;
    const active = await inspectAccessToken(tenant, issuer, x.state.params!.token!, deps);
    x.state.answer =
      active && mayIntrospect(tenant, active, clientId) ? introspectionMembers(active, clientId) : { active: false };
    // An answer, active or not, is one introspection (counted if it is sent).
    x.meter('introspections');
  });

/** The tenant's introspection composer (plugins/introspection-composer.ts), for the client asking; nothing when none is configured. */
const composeAnswer = (deps: DataPlaneDeps): Step<IntrospectionState> =>
  step<IntrospectionState>('composeAnswer', (x) => {
    const composed = composeIntrospection(x.request.tenant, deps.webhooks, x.state.answer!, x.state.client?.clientId);
    if (composed === x.state.answer) return;
    if (!(composed instanceof Promise)) {
      x.state.answer = composed;
      return;
    }
    return composed.then((answer) => {
      x.state.answer = answer;
      return undefined;
    });
  });

const wantsJwt = (accept: string | undefined) => (accept ?? '').includes(JWT_TYPE);

/** Plain JSON, or the JWT of RFC 9701 (signed with the tenant's access-token key, §7) when the caller accepts it. */
const introspectionResponse = (deps: DataPlaneDeps): Step<IntrospectionState> =>
  step<IntrospectionState>('introspectionResponse', async (x) => {
    const { answer, client } = x.state;
    if (!wantsJwt(x.request.headers.accept)) return jsonAnswer(answer);
    const { tenant, issuer } = x.request;
    const { tid, config } = tenant.tenant;
    // The key active by the data plane's clock, as the token issuer picks it.
    const key = currentKey(tenant.keys, config.keys.accessTokenSigningAlgorithm, clockDate(deps.oauth.clock));
    if (!key) throw oauthError('server_error', 'No signing key', { status: 500 });
    const clientId = client?.clientId;
    const payload = {
      iss: issuer,
      ...(clientId ? { aud: clientId } : {}),
      iat: epochSeconds(deps.oauth.clock),
      token_introspection: answer,
    };
    return textAnswer(
      JWT_TYPE,
      await signCompactJws(deps.keyStores.for(key.backend), tid, key, payload, { typ: 'token-introspection+jwt' }),
    );
  });

/**
 * RFC 7662 token introspection, with the JWT response of RFC 9701. Steps:
 * bearerCaller, or formBody → authenticateClient → refusePublicClient; then
 * requireToken → inspectToken (who may see which token: mayIntrospect) →
 * composeAnswer (the tenant's introspection composer) → introspectionResponse.
 */
export const introspectionEndpoint: Endpoint = {
  name: 'introspection',
  area: 'back-channel',
  routes: (deps) => [
    route<IntrospectionState>({
      name: 'introspection',
      method: 'POST',
      path: '/token/introspect',
      bodyLimit: BODY_LIMIT,
      steps: [
        bearerCaller(deps),
        when(byClient, formBody),
        when(byClient, authenticateClient(deps, '/token/introspect')),
        when(byClient, refusePublicClient),
        requireToken,
        inspectToken(deps),
        composeAnswer(deps),
        introspectionResponse(deps),
      ],
    }),
  ],
  metadata: (context, issuer) => ({
    introspection_endpoint: `${issuer}/token/introspect`,
    introspection_endpoint_auth_methods_supported: Object.keys(CLIENT_AUTH_METHODS).filter((m) => m !== 'none'),
    // JWT responses are signed with the tenant's access-token key (RFC 9701 §7)
    introspection_signing_alg_values_supported: [context.tenant.config.keys.accessTokenSigningAlgorithm],
  }),
};
