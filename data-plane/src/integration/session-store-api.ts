import { type Static, Type } from '@sinclair/typebox';
import { HttpError } from '@tessera/shared/http/errors';
import { PRINTABLE_IDENTIFIER_PATTERN } from '@tessera/shared/text/printable-identifier';
import { tokenHash } from '@tessera/shared/tokens/identifiers';
import { jsonAnswer } from '../core/core-answer.ts';
import type { TenantRequest } from '../core/core-request.ts';
import type { Endpoint } from '../core/endpoint.ts';
import { route } from '../core/route.ts';
import { type Step, step } from '../core/step.ts';
import { announceSessionEnded } from '../logout/session-ended.ts';
import type { SubjectSession } from '../ports/subject-session-store.ts';
import { requireApiToken } from './api-token-auth.ts';

const BASE = '/session-store/rest/v2/sessions';
const Query = Type.Object(
  {
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, pattern: PRINTABLE_IDENTIFIER_PATTERN })),
    /** The id a listing shows (SHA-256 of the session id, as ID tokens carry it in `sid`). */
    id: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  },
  { additionalProperties: false },
);
const SidHeader = Type.Object({ sid: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });

const toMinutes = (seconds: number | undefined) => (seconds ? Math.ceil(seconds / 60) : -1);

/** A session in Connect2id's shape (timeouts in minutes, -1 = none). */
function render(session: SubjectSession): Record<string, unknown> {
  return {
    sub: session.sub,
    auth_time: session.authTime,
    creation_time: session.creationTime,
    max_life: toMinutes(session.maxLife),
    auth_life: toMinutes(session.authLife),
    max_idle: toMinutes(session.maxIdle),
    ...(session.acr ? { acr: session.acr } : {}),
    ...(session.amr ? { amr: session.amr } : {}),
    rps: session.rps ?? [],
    ...(session.claims ? { claims: session.claims } : {}),
    ...(session.data ? { data: session.data } : {}),
    ctx: 'web',
  };
}

const notFound = () => new HttpError(404, 'not_found', 'No such subject session');

type SessionRequest = TenantRequest<unknown, Static<typeof Query>>;
const sessionStep = (name: string, run: Step<object, SessionRequest>['run']) => step<object, SessionRequest>(name, run);

/** The session a request names: `SID` header (the session id) or `?id=` (its hash, from a listing). */
function idHashOf(request: SessionRequest): string {
  const sid = request.headers.sid;
  const hash = typeof sid === 'string' ? tokenHash(sid) : request.query.id;
  if (hash === undefined) throw new HttpError(400, 'invalid_request', 'Name a session (SID header or id) or a subject');
  return hash;
}

/**
 * The subject session store API (connect2id-apis.md §6): list a subject's
 * sessions (`?subject=`), read one (`SID` header or `?id=`), end one or all
 * of a subject's. Listings key sessions by the SHA-256 of their id, which is
 * also the `sid` of ID tokens; the id itself (the SSO cookie) never leaves.
 */
export const sessionStoreApi: Endpoint = {
  name: 'session-store',
  area: 'management',
  routes: (deps) => {
    const schema = { querystring: Query, headers: SidHeader };
    const sessions = deps.oauth.sessions;
    const read = sessionStep('readSessions', async (x) => {
      const tid = x.request.tenant.tenant.tid;
      const { subject } = x.request.query;
      if (subject !== undefined) {
        const found = await sessions.listBySubject(tid, subject);
        return jsonAnswer(Object.fromEntries(found.map(({ id, session }) => [id, render(session)])));
      }
      const session = await sessions.getByHash(tid, idHashOf(x.request));
      if (!session) throw notFound();
      return jsonAnswer(render(session));
    });
    // Each ended session is announced (back-channel logout, `session.ended`) before the answer.
    const end = sessionStep('endSessions', async (x) => {
      const context = x.request.tenant;
      const tid = context.tenant.tid;
      const { subject } = x.request.query;
      const cause = 'session_store_api';
      if (subject !== undefined) {
        const ended = await sessions.endSubject(tid, subject);
        await Promise.all(
          ended.map(({ id, session }) => announceSessionEnded(deps, context, { sidHash: id, session, cause })),
        );
        return jsonAnswer({ ended: ended.length });
      }
      const hash = idHashOf(x.request);
      const session = await sessions.getByHash(tid, hash);
      if (!session || !(await sessions.endByHash(tid, hash))) throw notFound();
      await announceSessionEnded(deps, context, { sidHash: hash, session, cause });
      return jsonAnswer(render(session));
    });
    return [
      route({
        name: 'session-store.read',
        method: 'GET',
        path: BASE,
        schema,
        admission: [requireApiToken(deps)],
        steps: [read],
      }),
      route({
        name: 'session-store.end',
        method: 'DELETE',
        path: BASE,
        schema,
        admission: [requireApiToken(deps)],
        steps: [end],
      }),
    ];
  },
};
