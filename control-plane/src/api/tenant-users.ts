import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  type DirectoryUserSummary,
  listDirectoryUsers,
  MAX_DIRECTORY_PAGE,
} from '@tessera/shared/directory/directory-user-reader';
import { PRINTABLE_IDENTIFIER_PATTERN } from '@tessera/shared/text/printable-identifier';
import type { FastifyInstance } from 'fastify';
import type { ControlPlaneDeps } from './deps.ts';
import { requireTenant } from './require-tenant.ts';
import { ErrorBody, TidParams } from './schemas.ts';

const UserView = Type.Object({
  sub: Type.String(),
  username: Type.String(),
  claims: Type.Record(Type.String(), Type.Unknown(), { description: 'the stored OpenID Connect claims' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
const UsersQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: MAX_DIRECTORY_PAGE, default: 100 }),
    after: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        pattern: PRINTABLE_IDENTIFIER_PATTERN,
        description: "the previous page's next_cursor: users whose sub sorts after it",
      }),
    ),
    username: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        pattern: PRINTABLE_IDENTIFIER_PATTERN,
        description: 'only the user with this username (zero or one)',
      }),
    ),
  },
  { additionalProperties: false },
);
const UsersPage = Type.Object({
  users: Type.Array(UserView),
  next_cursor: Type.Optional(Type.String({ description: 'absent on the last page' })),
});

const userView = (u: DirectoryUserSummary) => ({
  sub: u.sub,
  username: u.username,
  claims: u.claims,
  created_at: u.createdAt.toISOString(),
  updated_at: u.updatedAt.toISOString(),
});

/**
 * `GET /tenants/rest/v1/{tid}/users`: the users of a tenant's built-in
 * directory (`directory_users`, read through
 * shared/src/directory/directory-user-reader.ts), by sub, a page at a time;
 * never a password hash. Every role within its tenant: the console's viewers
 * read it, where the data plane's directory API needs an API token, which
 * could change users.
 */
export function registerTenantUserRoutes(root: FastifyInstance, deps: ControlPlaneDeps): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = deps;
  app.get(
    '/tenants/rest/v1/:tid/users',
    {
      schema: {
        summary: "The users of a tenant's built-in directory, by sub, a page at a time",
        description:
          'Only the built-in directory: a tenant that signs users in against an external directory (LDAP) lists only the users of its built-in one, here none of the external ones. Never a password or its hash. Pass next_cursor as after for the next page; username finds one user.',
        params: TidParams,
        querystring: UsersQuery,
        response: { 200: UsersPage, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { tid } = request.params;
      const { limit, after, username } = request.query;
      await requireTenant(db, tid);
      const page = await listDirectoryUsers(db, tid, {
        limit,
        ...(after !== undefined ? { after } : {}),
        ...(username !== undefined ? { username } : {}),
      });
      return { users: page.users.map(userView), ...(page.next ? { next_cursor: page.next } : {}) };
    },
  );
}
