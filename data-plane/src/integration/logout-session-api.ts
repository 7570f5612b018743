import { type Static, Type } from '@sinclair/typebox';
import type { FlowContext } from '../authz/authz-flow.ts';
import { jsonAnswer } from '../core/core-answer.ts';
import type { TenantRequest } from '../core/core-request.ts';
import type { Endpoint } from '../core/endpoint.ts';
import { route } from '../core/route.ts';
import { step } from '../core/step.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { decideLogout, startLogoutSession } from '../logout/logout-flow.ts';
import { requireApiToken } from './api-token-auth.ts';

const BASE = '/logout-sessions/rest/v1';

const StartBody = Type.Object(
  {
    /** The end-session request's query string; null or absent: OP-initiated logout. */
    query: Type.Optional(Type.Union([Type.String({ maxLength: 65_536 }), Type.Null()])),
    sub_sid: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
  },
  { additionalProperties: false },
);
const DecisionBody = Type.Object({ op_logout: Type.Boolean() }, { additionalProperties: false });
const SidParams = Type.Object({ sid: Type.String({ minLength: 1, maxLength: 100 }) });

type SessionRequest<Body = unknown> = TenantRequest<Body, unknown, { sid: string }>;
const flowOf = (x: { request: TenantRequest }, deps: DataPlaneDeps): FlowContext => ({
  context: x.request.tenant,
  issuer: x.request.issuer,
  deps,
});

/**
 * The logout session API (connect2id-apis.md §5, contract §4): a tenant's
 * own logout page starts a logout with the end-session request and the SSO
 * cookie, and records the end-user's decision. The hosted logout page
 * (logout/logout-endpoint.ts, the end-session endpoint) calls the same
 * functions in-process (logout/logout-flow.ts). An unknown, forged or
 * expired logout session id is a 404 `invalid_session`.
 */
export const logoutSessionApi: Endpoint = {
  name: 'logout-sessions',
  area: 'management',
  routes: (deps) => {
    const admission = [requireApiToken(deps)];
    const start = step<object, SessionRequest<Static<typeof StartBody>>>('startLogoutSession', async (x) =>
      jsonAnswer(
        await startLogoutSession(flowOf(x, deps), { query: x.request.body.query, subSid: x.request.body.sub_sid }),
      ),
    );
    const decide = step<object, SessionRequest<Static<typeof DecisionBody>>>('decideLogout', async (x) =>
      jsonAnswer(await decideLogout(flowOf(x, deps), x.request.params.sid, x.request.body)),
    );
    return [
      route({
        name: 'logout-sessions.start',
        method: 'POST',
        path: BASE,
        schema: { body: StartBody },
        admission,
        steps: [start],
      }),
      route({
        name: 'logout-sessions.decide',
        method: 'PUT',
        path: `${BASE}/:sid`,
        schema: { params: SidParams, body: DecisionBody },
        admission,
        steps: [decide],
      }),
    ];
  },
};
