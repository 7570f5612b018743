import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { appendAudit } from '@tessera/shared/audit/audit-log';
import type { Db } from '@tessera/shared/db/database';
import type { FastifyInstance } from 'fastify';
import { ADMIN_JWT_MAX_LIFETIME_S } from '../auth/admin-jwt.ts';
import type { AdminTokenDenylist } from '../auth/admin-token-denylist.ts';
import { auditActor } from '../auth/audit-actor.ts';
import { ErrorBody, Tid } from './schemas.ts';

const Body = Type.Object(
  {
    tid: Type.Optional(
      Type.String({
        ...Tid,
        pattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$',
        description: 'scope the token to this tenant',
      }),
    ),
    expires_in: Type.Integer({
      minimum: 60,
      maximum: ADMIN_JWT_MAX_LIFETIME_S,
      default: 3600,
      description: 'lifetime in seconds',
    }),
  },
  { additionalProperties: false },
);
const JtiParams = Type.Object({
  jti: Type.String({
    pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
    description: 'the `jti` claim of the token',
  }),
});

/**
 * `POST /admin-tokens/rest/v1`: an admin JWT (HS256, key derived from the
 * master key) for tools that should not hold the operator key itself;
 * optionally scoped to one tenant. `DELETE /admin-tokens/rest/v1/{jti}`
 * revokes one without needing the token. Only the operator key may do
 * either — an admin JWT cannot mint a broader (or longer-lived) token for
 * itself, nor lift a revocation. Both are recorded in the audit log (the
 * jti, never the token), under the token's tenant when it is scoped.
 */
export function registerAdminTokenRoutes(root: FastifyInstance, denylist: AdminTokenDenylist, db: Db): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/admin-tokens/rest/v1',
    {
      config: { permission: 'admin-tokens:manage' },
      schema: {
        summary: 'Issue an admin JWT, optionally scoped to one tenant',
        body: Body,
        response: {
          201: Type.Object({
            access_token: Type.String(),
            token_type: Type.Literal('Bearer'),
            expires_in: Type.Integer(),
            tid: Type.Union([Type.String(), Type.Null()]),
            jti: Type.String(),
          }),
          400: ErrorBody,
          403: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { tid, expires_in: expiresIn } = request.body;
      const jti = randomUUID();
      // @fastify/jwt reads a number as seconds.
      const token = app.jwt.sign({ sub: 'operator', jti, ...(tid ? { tid } : {}) }, { expiresIn });
      await appendAudit(db, [
        {
          tid: tid ?? null,
          actor: auditActor(request),
          action: 'admin_token.created',
          target: `admin_token:${jti}`,
          details: { jti, expires_in: expiresIn, scope: tid ?? 'all tenants' },
        },
      ]);
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ access_token: token, token_type: 'Bearer' as const, expires_in: expiresIn, tid: tid ?? null, jti });
    },
  );

  app.delete(
    '/admin-tokens/rest/v1/:jti',
    {
      config: { permission: 'admin-tokens:manage' },
      schema: {
        summary: 'Revoke an admin JWT by its jti (again: 204)',
        params: JtiParams,
        response: { 204: { type: 'null', description: 'revoked' }, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => {
      const { jti } = request.params;
      await denylist.revoke(jti);
      // The revocation is filed under the tenant the token was minted for, as its creation was.
      const minted = await db
        .selectFrom('audit_log')
        .select('tid')
        .where('action', '=', 'admin_token.created')
        .where('target', '=', `admin_token:${jti}`)
        .executeTakeFirst();
      await appendAudit(db, [
        {
          tid: minted?.tid ?? null,
          actor: auditActor(request),
          action: 'admin_token.revoked',
          target: `admin_token:${jti}`,
          details: { jti },
        },
      ]);
      return reply.code(204).send();
    },
  );
}
