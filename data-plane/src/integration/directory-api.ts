import { Type, type Static } from '@sinclair/typebox';
import { HttpError } from '@tessera/shared/http/errors';
import type { DataPlaneDeps, Endpoint } from '../endpoints/endpoint.ts';
import { ClaimsError } from '../directory/standard-claims.ts';
import { DirectoryConflict, type DirectoryUser } from '../ports/user-directory.ts';
import { requireApiToken } from './api-token-auth.ts';

const BASE = '/directory/rest/v1/users';
/** Subjects are printable ASCII without spaces: they end up in tokens, URLs and cookies. */
const Sub = Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' });
const Username = Type.String({ minLength: 1, maxLength: 255, pattern: '^[^\\x00-\\x1F\\x7F]+$' });
const Password = Type.String({ minLength: 8, maxLength: 1024 });
const Claims = Type.Record(Type.String({ maxLength: 160 }), Type.Unknown());
const NewUserBody = Type.Object({ username: Username, password: Password, sub: Type.Optional(Sub), claims: Type.Optional(Claims) }, { additionalProperties: false });
const ReplaceBody = Type.Object({ username: Username, password: Type.Optional(Password), claims: Type.Optional(Claims) }, { additionalProperties: false });
/** PATCH: `claims` are merged, a claim set to null is removed. */
const PatchBody = Type.Object({ username: Type.Optional(Username), password: Type.Optional(Password), claims: Type.Optional(Claims) }, { additionalProperties: false });
const SubParams = Type.Object({ sub: Sub });
const ListQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), after: Type.Optional(Sub), username: Type.Optional(Username) },
  { additionalProperties: false },
);

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
const view = (u: DirectoryUser) => ({ sub: u.sub, username: u.username, claims: u.claims, created_at: seconds(u.createdAt), updated_at: seconds(u.updatedAt) });
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

/**
 * The built-in user directory API `/directory/rest/v1/users` (tenant API
 * token): create, list, read, replace, patch and delete users. Passwords go
 * in and are stored as scrypt hashes; they never come out. Deleting a user
 * ends its subject sessions and revokes what it granted.
 */
export const directoryApi: Endpoint = {
  name: 'directory',
  register(app, deps: DataPlaneDeps) {
    const dir = deps.directory;
    const tid = (request: { tenant?: { tenant: { tid: string } } | null }) => request.tenant!.tenant.tid;

    app.post<{ Body: Static<typeof NewUserBody> }>(BASE, { onRequest: requireApiToken, schema: { body: NewUserBody } }, async (request, reply) => {
      const user = await translated(() => dir.create(tid(request), request.body));
      return reply.code(201).header('cache-control', 'no-store').header('location', `${request.issuer}${BASE}/${encodeURIComponent(user.sub)}`).send(view(user));
    });

    app.get<{ Querystring: Static<typeof ListQuery> }>(BASE, { onRequest: requireApiToken, schema: { querystring: ListQuery } }, async (request, reply) => {
      const { limit = 100, after, username } = request.query;
      if (username !== undefined) {
        const user = await dir.findByUsername(tid(request), username);
        return reply.header('cache-control', 'no-store').send({ users: user ? [view(user)] : [] });
      }
      const users = await dir.list(tid(request), { limit, ...(after !== undefined ? { after } : {}) });
      const next = users.length === limit ? users[users.length - 1]!.sub : undefined;
      return reply.header('cache-control', 'no-store').send({ users: users.map(view), ...(next ? { next_cursor: next } : {}) });
    });

    app.get<{ Params: Static<typeof SubParams> }>(`${BASE}/:sub`, { onRequest: requireApiToken, schema: { params: SubParams } }, async (request, reply) => {
      const user = await dir.get(tid(request), request.params.sub);
      if (!user) throw notFound(request.params.sub);
      return reply.header('cache-control', 'no-store').send(view(user));
    });

    app.put<{ Params: Static<typeof SubParams>; Body: Static<typeof ReplaceBody> }>(
      `${BASE}/:sub`,
      { onRequest: requireApiToken, schema: { params: SubParams, body: ReplaceBody } },
      async (request, reply) => {
        const { username, password, claims } = request.body;
        const user = await translated(() => dir.update(tid(request), request.params.sub, { username, claims: claims ?? {}, ...(password !== undefined ? { password } : {}) }));
        if (!user) throw notFound(request.params.sub);
        return reply.header('cache-control', 'no-store').send(view(user));
      },
    );

    app.patch<{ Params: Static<typeof SubParams>; Body: Static<typeof PatchBody> }>(
      `${BASE}/:sub`,
      { onRequest: requireApiToken, schema: { params: SubParams, body: PatchBody } },
      async (request, reply) => {
        const { username, password, claims } = request.body;
        const user = await translated(async () => {
          let merged: Record<string, unknown> | undefined;
          if (claims !== undefined) {
            const current = await dir.get(tid(request), request.params.sub);
            if (!current) return null;
            merged = { ...current.claims };
            for (const [name, value] of Object.entries(claims)) {
              if (value === null) delete merged[name];
              else merged[name] = value;
            }
          }
          return dir.update(tid(request), request.params.sub, {
            ...(username !== undefined ? { username } : {}),
            ...(password !== undefined ? { password } : {}),
            ...(merged !== undefined ? { claims: merged } : {}),
          });
        });
        if (!user) throw notFound(request.params.sub);
        return reply.header('cache-control', 'no-store').send(view(user));
      },
    );

    app.delete<{ Params: Static<typeof SubParams> }>(`${BASE}/:sub`, { onRequest: requireApiToken, schema: { params: SubParams } }, async (request, reply) => {
      const t = tid(request);
      const { sub } = request.params;
      if (!(await dir.delete(t, sub))) throw notFound(sub);
      // A deleted user is signed out everywhere and keeps nothing it was granted: SSO sessions, authorisations, tokens.
      await deps.oauth.sessions.endSubject(t, sub);
      await deps.oauth.authorizations.delete(t, { sub });
      await deps.oauth.journal.revoke(t, { sub });
      return reply.code(204).send();
    });
  },
};
