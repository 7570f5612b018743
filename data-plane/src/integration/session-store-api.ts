import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { HttpError } from '@tessera/shared/http/errors';
import { PRINTABLE_IDENTIFIER_PATTERN } from '@tessera/shared/text/printable-identifier';
import { tokenHash } from '@tessera/shared/tokens/identifiers';
import type { Endpoint } from '../endpoints/endpoint.ts';
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

/** The session a request names: `SID` header (the session id) or `?id=` (its hash, from a listing). */
function idHashOf(request: FastifyRequest<{ Querystring: Static<typeof Query> }>): string | undefined {
  const sid = request.headers.sid;
  return typeof sid === 'string' ? tokenHash(sid) : request.query.id;
}

/**
 * The subject session store API (connect2id-apis.md §6): list a subject's
 * sessions (`?subject=`), read one (`SID` header or `?id=`), end one or all
 * of a subject's. Listings key sessions by the SHA-256 of their id, which is
 * also the `sid` of ID tokens; the id itself (the SSO cookie) never leaves.
 */
export const sessionStoreApi: Endpoint = {
  name: 'session-store',
  register(app, deps) {
    const schema = { querystring: Query, headers: SidHeader };
    app.get<{ Querystring: Static<typeof Query> }>(BASE, { onRequest: requireApiToken, schema }, async (request, reply) => {
      const context = request.tenant!;
      const tid = context.tenant.tid;
      reply.header('cache-control', 'no-store');
      if (request.query.subject !== undefined) {
        const sessions = await deps.oauth.sessions.listBySubject(tid, request.query.subject);
        return reply.send(Object.fromEntries(sessions.map(({ id, session }) => [id, render(session)])));
      }
      const hash = idHashOf(request);
      if (hash === undefined) throw new HttpError(400, 'invalid_request', 'Name a session (SID header or id) or a subject');
      const session = await deps.oauth.sessions.getByHash(tid, hash);
      if (!session) throw notFound();
      return reply.send(render(session));
    });
    app.delete<{ Querystring: Static<typeof Query> }>(BASE, { onRequest: requireApiToken, schema }, async (request, reply) => {
      const tid = request.tenant!.tenant.tid;
      if (request.query.subject !== undefined) {
        const ended = await deps.oauth.sessions.endSubject(tid, request.query.subject);
        return reply.send({ ended });
      }
      const hash = idHashOf(request);
      if (hash === undefined) throw new HttpError(400, 'invalid_request', 'Name a session (SID header or id) or a subject');
      const session = await deps.oauth.sessions.getByHash(tid, hash);
      if (!session || !(await deps.oauth.sessions.endByHash(tid, hash))) throw notFound();
      return reply.send(render(session));
    });
  },
};
