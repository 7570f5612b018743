import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { appendAudit } from '@tessera/shared/audit/audit-log';
import { HttpError, notFound } from '@tessera/shared/http/errors';
import { announceTenantChange } from '@tessera/shared/tenancy/change-channel';
import type { FastifyInstance } from 'fastify';
import { auditActor } from '../auth/audit-actor.ts';
import { issueApiToken } from '../tenants/tenant-writer.ts';
import type { ControlPlaneDeps } from './deps.ts';
import { ErrorBody, Tid } from './schemas.ts';

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const TokenInfo = Type.Object({
  id: Type.String(),
  label: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  revoked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/**
 * Integration API tokens of a tenant (bearer tokens for its data-plane
 * APIs): minted here and shown once, stored as SHA-256 only, revocable.
 * Every change is announced, so nodes accept or refuse the token at once.
 */
export function registerApiTokenRoutes(root: FastifyInstance, deps: ControlPlaneDeps): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db, redis, settings } = deps;
  const usable = async (tid: string) => {
    const row = await db.selectFrom('tenants').select('status').where('tid', '=', tid).executeTakeFirst();
    if (!row) throw notFound(`No tenant "${tid}"`, 'tenant_not_found');
    if (row.status === 'failed' || row.status === 'deprovisioning')
      throw new HttpError(409, 'invalid_status', `The tenant is ${row.status}`);
  };

  app.post(
    '/tenants/rest/v1/:tid/api-tokens',
    {
      schema: {
        summary: 'Mint an integration API token (shown once)',
        description: 'The body is optional.',
        params: Type.Object({ tid: Tid }),
        body: Type.Object(
          { label: Type.String({ minLength: 1, maxLength: 100, default: 'api' }) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Intersect([TokenInfo, Type.Object({ api_token: Type.String() })]),
          400: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { tid } = request.params;
      await usable(tid);
      const { id, token } = await issueApiToken(db, tid, request.body.label, auditActor(request));
      await announceTenantChange(db, redis, settings.redisPrefix, tid);
      const row = await db
        .selectFrom('tenant_api_tokens')
        .select(['created_at'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .header('location', `/tenants/rest/v1/${tid}/api-tokens/${id}`)
        .send({
          id,
          label: request.body.label,
          created_at: row.created_at.toISOString(),
          revoked_at: null,
          api_token: token,
        });
    },
  );

  app.get(
    '/tenants/rest/v1/:tid/api-tokens',
    {
      schema: {
        summary: 'List integration API tokens (never the tokens themselves)',
        params: Type.Object({ tid: Tid }),
        response: { 200: Type.Object({ api_tokens: Type.Array(TokenInfo) }), 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { tid } = request.params;
      const exists = await db.selectFrom('tenants').select('tid').where('tid', '=', tid).executeTakeFirst();
      if (!exists) throw notFound(`No tenant "${tid}"`, 'tenant_not_found');
      const rows = await db
        .selectFrom('tenant_api_tokens')
        .select(['id', 'label', 'created_at', 'revoked_at'])
        .where('tid', '=', tid)
        .orderBy('created_at')
        .execute();
      return {
        api_tokens: rows.map((r) => ({
          id: r.id,
          label: r.label,
          created_at: r.created_at.toISOString(),
          revoked_at: r.revoked_at?.toISOString() ?? null,
        })),
      };
    },
  );

  app.delete(
    '/tenants/rest/v1/:tid/api-tokens/:token_id',
    {
      schema: {
        summary: 'Revoke an integration API token',
        params: Type.Object({ tid: Tid, token_id: Type.String({ pattern: UUID }) }),
        response: { 204: { type: 'null', description: 'revoked' }, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { tid, token_id: id } = request.params;
      const row = await db
        .selectFrom('tenant_api_tokens')
        .select(['revoked_at'])
        .where('tid', '=', tid)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw notFound(`No API token ${id} for tenant "${tid}"`, 'token_not_found');
      if (row.revoked_at === null) {
        await db.transaction().execute(async (trx) => {
          const revoked = await trx
            .updateTable('tenant_api_tokens')
            .set({ revoked_at: new Date() })
            .where('tid', '=', tid)
            .where('id', '=', id)
            .where('revoked_at', 'is', null)
            .executeTakeFirst();
          if (revoked.numUpdatedRows > 0n)
            await appendAudit(trx, [
              { tid, actor: auditActor(request), action: 'api_token.revoked', target: `api_token:${id}` },
            ]);
        });
        await announceTenantChange(db, redis, settings.redisPrefix, tid);
      }
      return reply.code(204).send();
    },
  );
}
