import { type Static, Type } from '@sinclair/typebox';
import { HttpError } from '@tessera/shared/http/errors';
import { authorizationRevokedEvent } from '../authz/authorization-revoked-event.ts';
import { emptyAnswer, jsonAnswer } from '../core/core-answer.ts';
import type { TenantRequest } from '../core/core-request.ts';
import type { Endpoint } from '../core/endpoint.ts';
import { route } from '../core/route.ts';
import { step } from '../core/step.ts';
import { ClaimsError } from '../directory/standard-claims.ts';
import { announceSessionEnded } from '../logout/session-ended.ts';
import { DirectoryConflict, type DirectoryUser } from '../ports/user-directory.ts';
import { API_TOKEN_ACTOR, requireApiToken } from './api-token-auth.ts';

const BASE = '/directory/rest/v1/users';
/** Subjects are printable ASCII without spaces: they end up in tokens, URLs and cookies. */
const Sub = Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' });
const Username = Type.String({ minLength: 1, maxLength: 255, pattern: '^[^\\x00-\\x1F\\x7F]+$' });
const Password = Type.String({ minLength: 8, maxLength: 1024 });
const Claims = Type.Record(Type.String({ maxLength: 160 }), Type.Unknown());
const NewUserBody = Type.Object(
  { username: Username, password: Password, sub: Type.Optional(Sub), claims: Type.Optional(Claims) },
  { additionalProperties: false },
);
const ReplaceBody = Type.Object(
  { username: Username, password: Type.Optional(Password), claims: Type.Optional(Claims) },
  { additionalProperties: false },
);
/** PATCH: `claims` are merged, a claim set to null is removed. */
const PatchBody = Type.Object(
  { username: Type.Optional(Username), password: Type.Optional(Password), claims: Type.Optional(Claims) },
  { additionalProperties: false },
);
const SubParams = Type.Object({ sub: Sub });
const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    after: Type.Optional(Sub),
    username: Type.Optional(Username),
  },
  { additionalProperties: false },
);

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
const view = (u: DirectoryUser) => ({
  sub: u.sub,
  username: u.username,
  claims: u.claims,
  created_at: seconds(u.createdAt),
  updated_at: seconds(u.updatedAt),
});
const notFound = (sub: string) => new HttpError(404, 'not_found', `No user with the subject "${sub}"`);

/** Directory errors as integration-API errors: a taken name is a 409, bad claims a 400. */
async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DirectoryConflict) throw new HttpError(409, 'conflict', err.message);
    if (err instanceof ClaimsError) throw new HttpError(400, 'invalid_request', `Bad request: ${err.message}`);
    throw err;
  }
}

type UserRequest<Body = unknown, Query = unknown> = TenantRequest<Body, Query, { sub: string }>;
const tidOf = (request: TenantRequest) => request.tenant.tenant.tid;

/**
 * The built-in user directory API `/directory/rest/v1/users` (tenant API
 * token): create, list, read, replace, patch and delete users. Passwords go
 * in and are stored as scrypt hashes; they never come out. Deleting a user
 * ends its subject sessions and revokes what it granted.
 */
export const directoryApi: Endpoint = {
  name: 'directory',
  area: 'management',
  routes: (deps) => {
    const dir = deps.directory;
    const admission = [requireApiToken(deps)];

    const create = step<object, UserRequest<Static<typeof NewUserBody>>>('createUser', async (x) => {
      // The plan's user quota (as this node last read the tenant): 403 quota_exceeded at it, nothing created.
      const limit = x.request.tenant.tenant.limits.quotas.users;
      const user = await translated(() => dir.create(tidOf(x.request), x.request.body, limit));
      return jsonAnswer(view(user), 201, { location: `${x.request.issuer}${BASE}/${encodeURIComponent(user.sub)}` });
    });

    const list = step<object, UserRequest<unknown, Static<typeof ListQuery>>>('listUsers', async (x) => {
      const { limit = 100, after, username } = x.request.query;
      const tid = tidOf(x.request);
      if (username !== undefined) {
        const user = await dir.findByUsername(tid, username);
        return jsonAnswer({ users: user ? [view(user)] : [] });
      }
      const users = await dir.list(tid, { limit, ...(after !== undefined ? { after } : {}) });
      const next = users.length === limit ? users[users.length - 1]!.sub : undefined;
      return jsonAnswer({ users: users.map(view), ...(next ? { next_cursor: next } : {}) });
    });

    const read = step<object, UserRequest>('readUser', async (x) => {
      const user = await dir.get(tidOf(x.request), x.request.params.sub);
      if (!user) throw notFound(x.request.params.sub);
      return jsonAnswer(view(user));
    });

    const replace = step<object, UserRequest<Static<typeof ReplaceBody>>>('replaceUser', async (x) => {
      const { username, password, claims } = x.request.body;
      const { sub } = x.request.params;
      const user = await translated(() =>
        dir.update(tidOf(x.request), sub, {
          username,
          claims: claims ?? {},
          ...(password !== undefined ? { password } : {}),
        }),
      );
      if (!user) throw notFound(sub);
      return jsonAnswer(view(user));
    });

    /** `claims` are merged, a claim set to null is removed. */
    const patch = step<object, UserRequest<Static<typeof PatchBody>>>('patchUser', async (x) => {
      const { username, password, claims } = x.request.body;
      const { sub } = x.request.params;
      const tid = tidOf(x.request);
      const user = await translated(async () => {
        let merged: Record<string, unknown> | undefined;
        if (claims !== undefined) {
          const current = await dir.get(tid, sub);
          if (!current) return null;
          const next: Record<string, unknown> = { ...current.claims };
          for (const [name, value] of Object.entries(claims)) {
            if (value === null) delete next[name];
            else next[name] = value;
          }
          merged = next;
        }
        return dir.update(tid, sub, {
          ...(username !== undefined ? { username } : {}),
          ...(password !== undefined ? { password } : {}),
          ...(merged !== undefined ? { claims: merged } : {}),
        });
      });
      if (!user) throw notFound(sub);
      return jsonAnswer(view(user));
    });

    /** A deleted user is signed out everywhere and keeps nothing it was granted: SSO sessions, authorisations, tokens. */
    const remove = step<object, UserRequest>('deleteUser', async (x) => {
      const tid = tidOf(x.request);
      const { sub } = x.request.params;
      if (!(await dir.delete(tid, sub))) throw notFound(sub);
      const ended = await deps.oauth.sessions.endSubject(tid, sub);
      await Promise.all(
        ended.map(({ id, session }) =>
          announceSessionEnded(deps, x.request.tenant, { sidHash: id, session, cause: 'user_deleted' }),
        ),
      );
      await deps.oauth.authorizations.delete(tid, { sub });
      await deps.oauth.journal.revoke(tid, { sub });
      await deps.events.emit(authorizationRevokedEvent(tid, API_TOKEN_ACTOR, { sub }, 'directory_api'));
      return emptyAnswer(204);
    });

    const one = `${BASE}/:sub`;
    return [
      route({
        name: 'directory.create',
        method: 'POST',
        path: BASE,
        schema: { body: NewUserBody },
        // The username is taken.
        errorStatuses: [409],
        admission,
        steps: [create],
      }),
      route({
        name: 'directory.list',
        method: 'GET',
        path: BASE,
        schema: { querystring: ListQuery },
        admission,
        steps: [list],
      }),
      route({
        name: 'directory.read',
        method: 'GET',
        path: one,
        schema: { params: SubParams },
        admission,
        steps: [read],
      }),
      route({
        name: 'directory.replace',
        method: 'PUT',
        path: one,
        schema: { params: SubParams, body: ReplaceBody },
        errorStatuses: [409],
        admission,
        steps: [replace],
      }),
      route({
        name: 'directory.patch',
        method: 'PATCH',
        path: one,
        schema: { params: SubParams, body: PatchBody },
        errorStatuses: [409],
        admission,
        steps: [patch],
      }),
      route({
        name: 'directory.delete',
        method: 'DELETE',
        path: one,
        schema: { params: SubParams },
        admission,
        steps: [remove],
      }),
    ];
  },
};
