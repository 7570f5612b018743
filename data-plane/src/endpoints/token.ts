import { Type } from '@sinclair/typebox';
import { grantTypesOf } from '@tessera/shared/clients/client';
import { CLIENT_AUTH_METHODS } from '../client-auth/index.ts';
import { jsonAnswer } from '../core/core-answer.ts';
import type { Endpoint } from '../core/endpoint.ts';
import { route } from '../core/route.ts';
import { type Step, step } from '../core/step.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { DPOP_ALGORITHMS } from '../dpop/dpop-proof.ts';
import { type DpopState, dpopProof } from '../dpop/dpop-step.ts';
import type { GrantHandler } from '../grants/grant.ts';
import { GRANTS } from '../grants/index.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import { customTokenResponse } from '../plugins/custom-token-response.ts';
import { epochSeconds } from '../ports/clock.ts';
import { tokenIssuedEvent } from '../tokens/token-issued-event.ts';
import type { TokenResponse } from '../tokens/token-response.ts';
import { authenticateClient, type ClientState } from './steps/authenticate-client.ts';
import { formBody } from './steps/form-body.ts';

/** RFC 6749 §3.2 / Connect2id: token endpoint bodies over 50,000 characters are refused. */
const BODY_LIMIT = 50_000;

interface TokenState extends ClientState, DpopState {
  grant?: GrantHandler;
  response?: TokenResponse;
}

const signingAlgorithms = () => [
  ...new Set(Object.values(CLIENT_AUTH_METHODS).flatMap((m) => m.signingAlgorithms ?? [])),
];

/** The grant type is one the tenant enables, this node can run, and the client registered. */
const checkGrantType = (deps: DataPlaneDeps): Step<TokenState> =>
  step<TokenState>('checkGrantType', (x) => {
    const grantType = x.state.params!.grant_type;
    if (!grantType) throw oauthError('invalid_request', 'Missing grant_type');
    const grant = GRANTS.get(grantType);
    const enabled = (x.request.tenant.tenant.config.grants.grantTypes as readonly string[]).includes(grantType);
    if (!grant || !enabled || grant.available?.(deps) === false) {
      throw oauthError(
        'unsupported_grant_type',
        `The grant type ${JSON.stringify(grantType).slice(0, 100)} is not supported`,
      );
    }
    const registered = grantTypesOf(x.state.client!);
    if (!registered.includes(grantType))
      throw oauthError(
        'unauthorized_client',
        `The client is not registered for ${grantType} (its grant_types: ${registered.join(', ') || 'none'})`,
      );
    x.state.grant = grant;
  });

/** The grant's own handler (grants/, one file per grant_type) checks its parameters and issues the tokens. */
const runGrant = (deps: DataPlaneDeps): Step<TokenState> =>
  step<TokenState>('runGrant', async (x) => {
    const { request, state } = x;
    state.response = await state.grant!.handle({
      tenant: request.tenant,
      issuer: request.issuer,
      client: state.client!,
      params: state.params!,
      deps,
      ip: request.ip,
      usage: x,
      dpopJkt: state.dpop?.jkt,
    });
  });

/**
 * The `token.issued` event, in the outbox before the answer leaves (one
 * XADD; docs/events.md): a token whose event could not be written is never
 * handed out, so the audit log misses none.
 */
const announceTokenIssued = (deps: DataPlaneDeps): Step<TokenState> =>
  step<TokenState>('announceTokenIssued', async (x) => {
    const { state } = x;
    await deps.events.emit(
      tokenIssuedEvent(
        x.request.tenant.tenant.tid,
        state.params!.grant_type!,
        state.client!.clientId,
        state.response!,
        epochSeconds(deps.oauth.clock),
      ),
    );
  });

/** The tenant's custom token response (plugins/custom-token-response.ts): extra members; nothing when none is configured. */
const customizeResponse = (deps: DataPlaneDeps): Step<TokenState> =>
  step<TokenState>('customTokenResponse', (x) => {
    const { state } = x;
    const custom = customTokenResponse(
      x.request.tenant,
      deps.webhooks,
      state.params!.grant_type!,
      state.client!.clientId,
      state.response!,
    );
    if (custom === state.response) return;
    if (!(custom instanceof Promise)) {
      state.response = custom;
      return;
    }
    return custom.then((response) => {
      state.response = response;
      return undefined;
    });
  });

/** RFC 6749 §5.1 (never cached: the noStore policy). */
const tokenResponse = step<TokenState>('tokenResponse', (x) => jsonAnswer(x.state.response));

/** The members of RFC 6749 §5.1 we send; the serialiser keeps any other a grant adds. */
const TokenResponseBody = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.String(),
    expires_in: Type.Integer(),
    refresh_token: Type.Optional(Type.String()),
    refresh_token_expires_in: Type.Optional(Type.Integer()),
    scope: Type.Optional(Type.String()),
    id_token: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

/**
 * The token endpoint (RFC 6749 §3.2): every grant, behind client
 * authentication. Steps: formBody → authenticateClient → dpopProof → checkGrantType →
 * runGrant → announceTokenIssued → customTokenResponse → tokenResponse.
 */
/** Whether the tenant serves the implicit grant: enabled, with a response type that returns tokens from /login. */
const implicitServed = (grants: { grantTypes: readonly string[]; responseTypes: readonly string[] }): boolean =>
  grants.grantTypes.includes('implicit') &&
  grants.responseTypes.some((rt) => rt.split(' ').some((part) => part === 'token' || part === 'id_token'));

export const tokenEndpoint: Endpoint = {
  name: 'token',
  area: 'back-channel',
  routes: (deps) => [
    route<TokenState>({
      name: 'token',
      method: 'POST',
      path: '/token',
      bodyLimit: BODY_LIMIT,
      cors: 'clients',
      schema: { response: { 200: TokenResponseBody } },
      steps: [
        formBody,
        authenticateClient(deps, '/token'),
        dpopProof(deps),
        checkGrantType(deps),
        runGrant(deps),
        announceTokenIssued(deps),
        customizeResponse(deps),
        tokenResponse,
      ],
    }),
  ],
  metadata: (context, issuer, deps) => ({
    token_endpoint: `${issuer}/token`,
    token_endpoint_auth_methods_supported: Object.keys(CLIENT_AUTH_METHODS),
    token_endpoint_auth_signing_alg_values_supported: signingAlgorithms(),
    // RFC 9449 §5.1: proofs are accepted at the token, PAR and UserInfo endpoints.
    dpop_signing_alg_values_supported: DPOP_ALGORITHMS,
    grant_types_supported: [
      ...[...GRANTS.values()]
        .filter(
          (g) =>
            (context.tenant.config.grants.grantTypes as readonly string[]).includes(g.grantType) &&
            g.available?.(deps) !== false,
        )
        .map((g) => g.grantType),
      // Served by the authorisation endpoint (a response type with token or id_token), not here; OIDC Discovery
      // lists it among the grants all the same, where the tenant enables it and such a response type.
      ...(implicitServed(context.tenant.config.grants) ? ['implicit'] : []),
    ],
  }),
};
