import { type Static, Type } from '@sinclair/typebox';
import { HttpError } from '@tessera/shared/http/errors';
import {
  cancelAuthzSession,
  continueAuthzSession,
  type FlowContext,
  getAuthzSession,
  startAuthzSession,
} from '../authz/authz-flow.ts';
import { startDeviceSession } from '../authz/device-flow.ts';
import { jsonAnswer } from '../core/core-answer.ts';
import type { TenantRequest } from '../core/core-request.ts';
import type { Endpoint } from '../core/endpoint.ts';
import { route } from '../core/route.ts';
import { step } from '../core/step.ts';
import type { UsageMeter } from '../core/usage-meter.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { requireApiToken } from './api-token-auth.ts';

const BASE = '/authz-sessions/rest/v3';
const Str = Type.String({ minLength: 1, maxLength: 1000 });
const Strings = Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { maxItems: 500 });
const Obj = Type.Record(Type.String(), Type.Unknown());
/** Minutes; -1 = unlimited, 0 = the tenant default (Connect2id session timeouts). */
const Minutes = Type.Integer({ minimum: -1, maximum: 60 * 24 * 3650 });

/** An authorisation request's `query`, or a device flow's `user_code` (contract §4): one of the two. */
const StartBody = Type.Object(
  {
    query: Type.Optional(Type.String({ minLength: 1, maxLength: 65_536 })),
    user_code: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    sub_sid: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
  },
  { additionalProperties: false },
);

/** PUT at the `auth` step or the `consent` step: one schema with the members of both (the step decides which apply). */
const PutBody = Type.Object(
  {
    // auth step
    sub: Type.Optional(Str),
    acr: Type.Optional(Str),
    amr: Type.Optional(Strings),
    auth_time: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e11 })),
    max_life: Type.Optional(Minutes),
    auth_life: Type.Optional(Minutes),
    max_idle: Type.Optional(Minutes),
    // consent step
    scope: Type.Optional(Type.Union([Strings, Type.Literal('*')])),
    claims: Type.Optional(Type.Union([Strings, Type.Literal('*'), Obj])),
    claims_locales: Type.Optional(Strings),
    claims_transport: Type.Optional(Type.Union([Type.Literal('USERINFO'), Type.Literal('ID_TOKEN')])),
    claims_data: Type.Optional(Obj),
    preset_claims: Type.Optional(
      Type.Object({ id_token: Type.Optional(Obj), userinfo: Type.Optional(Obj) }, { additionalProperties: false }),
    ),
    audience: Type.Optional(Strings),
    long_lived: Type.Optional(Type.Boolean()),
    access_token: Type.Optional(
      Type.Object(
        {
          lifetime: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 * 30 })),
          encoding: Type.Optional(Type.Union([Type.Literal('SELF_CONTAINED'), Type.Literal('IDENTIFIER')])),
          encrypt: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    refresh_token: Type.Optional(
      Type.Object(
        {
          issue: Type.Optional(Type.Boolean()),
          lifetime: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 * 3650 })),
          max_idle: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 * 3650 })),
          rotate: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    id_token: Type.Optional(
      Type.Object(
        { lifetime: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })) },
        { additionalProperties: false },
      ),
    ),
    data: Type.Optional(Obj),
  },
  { additionalProperties: false },
);

const SidParams = Type.Object({ sid: Type.String({ minLength: 1, maxLength: 100 }) });
/** RFC 6749 §4.1.2.1: error codes and descriptions are %x20-21 / %x23-5B / %x5D-7E. */
const ErrorChars = '^[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]+$';
const DENY_ERRORS = [
  'access_denied',
  'login_required',
  'consent_required',
  'interaction_required',
  'account_selection_required',
  'invalid_request',
  'invalid_scope',
  'invalid_target',
  'server_error',
  'temporarily_unavailable',
  'unauthorized_client',
] as const;
const DeleteQuery = Type.Object(
  {
    error: Type.Optional(Type.Union(DENY_ERRORS.map((e) => Type.Literal(e)))),
    error_description: Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: ErrorChars })),
  },
  { additionalProperties: false },
);

type SessionRequest<Body = unknown, Query = unknown> = TenantRequest<Body, Query, { sid: string }>;
const flowOf = (x: { request: TenantRequest } & UsageMeter, deps: DataPlaneDeps): FlowContext => ({
  context: x.request.tenant,
  issuer: x.request.issuer,
  deps,
  usage: x,
});

/**
 * The authorisation session API (connect2id-apis.md §4, contract §4): the
 * login page's contract. The hosted login UI (login/login-endpoint.ts, the
 * authorisation endpoint) calls the same functions in-process
 * (authz/authz-flow.ts). The front channel's provider metadata comes from
 * the authorisation endpoint's file.
 */
export const authzSessionApi: Endpoint = {
  name: 'authz-sessions',
  area: 'management',
  routes: (deps) => {
    const admission = [requireApiToken(deps)];
    const start = step<object, SessionRequest<Static<typeof StartBody>>>('startAuthzSession', async (x) => {
      const { query, user_code, sub_sid } = x.request.body;
      if ((query === undefined) === (user_code === undefined))
        throw new HttpError(400, 'invalid_request', 'Start with either query or user_code');
      const subSid = sub_sid ?? undefined;
      return jsonAnswer(
        query !== undefined
          ? await startAuthzSession(flowOf(x, deps), { query, subSid })
          : await startDeviceSession(flowOf(x, deps), { userCode: user_code!, subSid }),
      );
    });
    const read = step<object, SessionRequest>('getAuthzSession', async (x) =>
      jsonAnswer(await getAuthzSession(flowOf(x, deps), x.request.params.sid)),
    );
    /** An object of claims belongs to the auth step (session claims), a list or "*" to consent. */
    const checkClaimsForm = step<object, SessionRequest<Static<typeof PutBody>>>('checkClaimsForm', (x) => {
      const { claims, sub } = x.request.body;
      if (claims !== undefined && !Array.isArray(claims) && claims !== '*' && sub === undefined) {
        throw new HttpError(400, 'invalid_request', 'claims must be an array of names or "*" at the consent step');
      }
    });
    const next = step<object, SessionRequest<Static<typeof PutBody>>>('continueAuthzSession', async (x) =>
      jsonAnswer(await continueAuthzSession(flowOf(x, deps), x.request.params.sid, x.request.body)),
    );
    const cancel = step<object, SessionRequest<unknown, Static<typeof DeleteQuery>>>('cancelAuthzSession', async (x) =>
      jsonAnswer(await cancelAuthzSession(flowOf(x, deps), x.request.params.sid, x.request.query)),
    );
    const one = `${BASE}/:sid`;
    return [
      route({
        name: 'authz-sessions.start',
        method: 'POST',
        path: BASE,
        schema: { body: StartBody },
        admission,
        steps: [start],
      }),
      route({
        name: 'authz-sessions.read',
        method: 'GET',
        path: one,
        schema: { params: SidParams },
        admission,
        steps: [read],
      }),
      route({
        name: 'authz-sessions.continue',
        method: 'PUT',
        path: one,
        schema: { params: SidParams, body: PutBody },
        admission,
        steps: [checkClaimsForm, next],
      }),
      route({
        name: 'authz-sessions.cancel',
        method: 'DELETE',
        path: one,
        schema: { params: SidParams, querystring: DeleteQuery },
        admission,
        steps: [cancel],
      }),
    ];
  },
};
