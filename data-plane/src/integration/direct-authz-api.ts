import { type Static, Type } from '@sinclair/typebox';
import type { Authorization } from '@tessera/shared/authz/authorization';
import type { Client } from '@tessera/shared/clients/client';
import { type ErrorCode, HttpError } from '@tessera/shared/http/errors';
import { tokenHash } from '@tessera/shared/tokens/identifiers';
import { consentedClaims } from '../authz/released-claims.ts';
import { jsonAnswer } from '../core/core-answer.ts';
import type { TenantRequest } from '../core/core-request.ts';
import type { Endpoint } from '../core/endpoint.ts';
import { route } from '../core/route.ts';
import { type Step, step } from '../core/step.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { newAuthorization } from '../grants/new-authorization.ts';
import { hasSecret } from '../plugins/client-secret-codec.ts';
import { epochSeconds } from '../ports/clock.ts';
import { DEFAULT_SESSION_MAX_LIFE, type SubjectSession } from '../ports/subject-session-store.ts';
import { idTokenForAuthorization } from '../tokens/id-token-issuer.ts';
import { tokenIssuedEvent } from '../tokens/token-issued-event.ts';
import type { TokenResponse } from '../tokens/token-response.ts';
import { API_TOKEN_ACTOR, requireApiToken } from './api-token-auth.ts';

const Str = Type.String({ minLength: 1, maxLength: 1000 });
const Strings = Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { maxItems: 500 });
const Obj = Type.Record(Type.String(), Type.Unknown());

/** Every member of the seed's direct authorisation request (v2), with its type. */
const DirectAuthzRequest = Type.Object(
  {
    sub: Type.Optional(Str),
    sub_session: Type.Optional(
      Type.Object({
        sub: Str,
        auth_time: Type.Optional(Type.Integer({ minimum: 0 })),
        acr: Type.Optional(Str),
        amr: Type.Optional(Strings),
        max_life: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 * 365 })),
        data: Type.Optional(Obj),
      }),
    ),
    sub_sid: Type.Optional(Str),
    client_id: Str,
    scope: Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { minItems: 1, maxItems: 500 }),
    audience: Type.Optional(Strings),
    claims: Type.Optional(Strings),
    claims_locales: Type.Optional(Strings),
    claims_transport: Type.Optional(Type.Union([Type.Literal('USERINFO'), Type.Literal('ID_TOKEN')])),
    claims_data: Type.Optional(Obj),
    preset_claims: Type.Optional(Type.Object({ id_token: Type.Optional(Obj), userinfo: Type.Optional(Obj) })),
    long_lived: Type.Optional(Type.Boolean()),
    impersonated_sub: Type.Optional(Str),
    access_token: Type.Optional(
      Type.Object({
        lifetime: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 * 30 })),
        encoding: Type.Optional(Type.Union([Type.Literal('SELF_CONTAINED'), Type.Literal('IDENTIFIER')])),
        encrypt: Type.Optional(Type.Boolean()),
      }),
    ),
    id_token: Type.Optional(
      Type.Object({
        lifetime: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
        impersonated_sub: Type.Optional(Str),
      }),
    ),
    refresh_token: Type.Optional(
      Type.Object({
        issue: Type.Optional(Type.Boolean()),
        lifetime: Type.Optional(Type.Integer({ minimum: 0 })),
        max_idle: Type.Optional(Type.Integer({ minimum: 0 })),
        rotate: Type.Optional(Type.Boolean()),
      }),
    ),
    data: Type.Optional(Obj),
  },
  { additionalProperties: false },
);
type Request = Static<typeof DirectAuthzRequest>;

const status = (code: number, error: ErrorCode, description: string) => new HttpError(code, error, description);

interface DirectAuthzState {
  client?: Client;
  /** The subject session the request creates (`sub_session`) or names (`sub_sid`). */
  session?: SubjectSession;
  sid?: string;
  createdSid?: string;
  authz?: Authorization;
}
type DirectStep = Step<DirectAuthzState, TenantRequest<Request>>;
const directStep = (name: string, run: DirectStep['run']): DirectStep =>
  step<DirectAuthzState, TenantRequest<Request>>(name, run);

const oneSubjectForm = directStep('oneSubjectForm', (x) => {
  const body = x.request.body;
  const subjectForms = [body.sub, body.sub_session, body.sub_sid].filter((v) => v !== undefined).length;
  if (subjectForms !== 1)
    throw status(400, 'invalid_request', 'Bad request: exactly one of sub, sub_session or sub_sid must be given');
});

/** A client of this tenant (460 otherwise) that has a current secret if its method needs one (462). */
const directClient = (deps: DataPlaneDeps): DirectStep =>
  directStep('directClient', async (x) => {
    const client = await deps.clients.get(x.request.tenant.tenant.tid, x.request.body.client_id);
    if (!client) throw status(460, 'invalid_client_id', 'Invalid client ID');
    const needsSecret = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt'].includes(
      client.metadata.token_endpoint_auth_method ?? 'client_secret_basic',
    );
    if (
      needsSecret &&
      (!hasSecret(client) || (client.secretExpiresAt && client.secretExpiresAt.getTime() <= deps.oauth.clock.now()))
    ) {
      throw status(462, 'expired_client_secret', 'Missing / expired client secret');
    }
    x.state.client = client;
  });

/** `sub_session` creates a subject session, `sub_sid` names one (461 when it is gone). */
const subjectSession = (deps: DataPlaneDeps): DirectStep =>
  directStep('subjectSession', async (x) => {
    const { body, tenant: context } = x.request;
    const tid = context.tenant.tid;
    if (body.sub_session) {
      const s = body.sub_session;
      const now = epochSeconds(deps.oauth.clock);
      const session: SubjectSession = {
        sub: s.sub,
        authTime: s.auth_time ?? now,
        creationTime: now,
        maxLife: s.max_life ?? DEFAULT_SESSION_MAX_LIFE,
        ...(s.acr ? { acr: s.acr } : {}),
        ...(s.amr ? { amr: s.amr } : {}),
        ...(s.data ? { data: s.data } : {}),
      };
      x.state.session = session;
      x.state.sid = x.state.createdSid = await deps.oauth.sessions.create(
        tid,
        context.secrets['identifier-hmac'],
        session,
      );
    } else if (body.sub_sid) {
      const session = await deps.oauth.sessions.get(tid, context.secrets['identifier-hmac'], body.sub_sid);
      if (!session) throw status(461, 'invalid_subject_session_id', 'Invalid / expired subject session ID');
      x.state.session = session;
      x.state.sid = body.sub_sid;
    }
  });

/** The authorisation the request describes, with the tenant's defaults for what it leaves out. */
const directAuthorization = directStep('directAuthorization', (x) => {
  const { body, tenant: context, issuer } = x.request;
  const { config } = context.tenant;
  const { client, session, sid } = x.state;
  const authenticated = body.sub ?? session!.sub;
  const impersonated = body.impersonated_sub ?? body.id_token?.impersonated_sub;
  const longLived = body.long_lived ?? false;
  const authz: Authorization = newAuthorization(config, {
    sub: impersonated ?? authenticated,
    cid: client!.clientId,
    scp: [...new Set(body.scope)],
    iss: issuer,
    longLived,
    ...(impersonated ? { act: { sub: authenticated } } : {}),
    ...(body.audience?.length ? { aud: body.audience } : {}),
    ...(body.claims?.length ? { clm: consentedClaims(body.claims, body.claims_transport) } : {}),
    ...(body.claims_locales?.length ? { cll: body.claims_locales } : {}),
    ...(body.preset_claims?.userinfo ? { uip: body.preset_claims.userinfo } : {}),
    ...(body.preset_claims?.id_token ? { idp: body.preset_claims.id_token } : {}),
    ...(body.data ? { dat: body.data } : {}),
    // `sid` is the hash of the session id: the id itself is the SSO credential (as in the front channel).
    ...(sid ? { sid: tokenHash(sid) } : {}),
  });
  authz.accessToken = {
    lifetime: body.access_token?.lifetime ?? 0,
    encoding: body.access_token?.encoding ?? 'SELF_CONTAINED',
    encrypt: body.access_token?.encrypt ?? false,
  };
  authz.refreshToken = {
    // Refresh tokens belong to long-lived (persisted) authorisations only.
    issue: longLived && (body.refresh_token?.issue ?? true),
    lifetime: body.refresh_token?.lifetime ?? 0,
    maxIdle: body.refresh_token?.max_idle ?? config.tokens.refreshTokenMaxIdle,
    rotate: body.refresh_token?.rotate ?? config.tokens.refreshTokenRotation,
  };
  authz.idToken = { lifetime: body.id_token?.lifetime || config.tokens.idTokenLifetime };
  x.state.authz = authz;
});

/** Access and refresh tokens; an ID token when a session backs the request and openid was granted. */
const issueTokens = (deps: DataPlaneDeps): DirectStep =>
  directStep('issueTokens', async (x) => {
    const { tenant: context, issuer } = x.request;
    const { client, session, createdSid } = x.state;
    const authz = x.state.authz!;
    const response: TokenResponse = await deps.oauth.issuer.issue(context, authz);
    if (session && authz.scp.includes('openid')) {
      // The same function as the front channel and the token endpoint: pairwise sub, the client's alg, encryption and typ.
      response.id_token = await idTokenForAuthorization(context, deps, {
        issuer,
        client: client!,
        authz,
        authentication: { authTime: session.authTime, acr: session.acr, amr: session.amr, claims: session.claims },
        accessToken: response.access_token,
      });
    }
    if (!response.scope) response.scope = authz.scp.join(' ');
    // An authorisation without the front channel: metered as one, for the subject the tokens are for.
    x.meter('authorizations', authz.sub);
    // The token endpoint's event (docs/events.md), caused by the API token's holder; in the outbox before the answer.
    const event = tokenIssuedEvent(
      context.tenant.tid,
      'direct_authorization',
      client!.clientId,
      response,
      epochSeconds(deps.oauth.clock),
    );
    await deps.events.emit({ ...event, actor: API_TOKEN_ACTOR });
    return jsonAnswer({ ...response, ...(createdSid ? { sub_sid: createdSid } : {}) });
  });

/**
 * The direct authorisation API (`/direct-authz/rest/v2`, seed 002): mint
 * access, refresh and ID tokens for a subject and client without the front
 * channel. `sub` gives access / refresh tokens only; `sub_session` creates a
 * subject session and `sub_sid` uses one, which also enables an ID token.
 * `impersonated_sub` issues for that subject with the caller in `act.sub`.
 * Steps: (requireApiToken) oneSubjectForm → directClient → subjectSession →
 * directAuthorization → issueTokens.
 */
export const directAuthzApi: Endpoint = {
  name: 'direct-authz',
  area: 'management',
  routes: (deps) => [
    route({
      name: 'direct-authz',
      method: 'POST',
      path: '/direct-authz/rest/v2',
      schema: { body: DirectAuthzRequest },
      admission: [requireApiToken(deps)],
      steps: [oneSubjectForm, directClient(deps), subjectSession(deps), directAuthorization, issueTokens(deps)],
    }),
  ],
};
