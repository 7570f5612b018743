import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HttpError, notFound } from '@tessera/shared/http/errors';
import { announceTenantChange } from '@tessera/shared/tenancy/change-channel';
import { issuerProblem, TID_PATTERN } from '@tessera/shared/tenancy/identifiers';
import type { FastifyInstance } from 'fastify';
import { auditActor } from '../auth/audit-actor.ts';
import { addAlias, listAliases, removeAlias } from '../tenants/alias-writer.ts';
import { checkNewIssuers } from '../tenants/issuer-policy.ts';
import type { ControlPlaneDeps } from './deps.ts';
import { ErrorBody } from './schemas.ts';

// Checked before any query: a malformed tid is a 400, never a database error.
const TidParam = Type.String({ maxLength: 63, pattern: TID_PATTERN });
const Params = Type.Object({ tid: TidParam });
const Mode = Type.Union([Type.Literal('MIGRATION'), Type.Literal('PERSISTED_GRANT_ISOLATION')]);
const AliasBody = Type.Object(
  { issuer: Type.String({ minLength: 1, maxLength: 2000 }), mode: Mode },
  { additionalProperties: false },
);
const AliasView = Type.Object({ issuer: Type.String(), mode: Mode });
const AliasList = Type.Object({ aliases: Type.Array(AliasView) });

/**
 * Issuer aliases of a tenant (contract §5, reference §9): extra issuer URLs
 * the data plane serves the tenant under, each in `MIGRATION` or
 * `PERSISTED_GRANT_ISOLATION` mode. A new alias follows the issuer rules
 * (tenants/issuer-policy.ts). Every change is announced, so nodes serve (or
 * stop serving) the URL within milliseconds.
 */
export function registerAliasRoutes(
  root: FastifyInstance,
  deps: Pick<ControlPlaneDeps, 'db' | 'redis' | 'settings'>,
): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db, redis, settings } = deps;
  const announce = (tid: string) => announceTenantChange(db, redis, settings.redisPrefix, tid);

  app.get(
    '/tenants/rest/v1/:tid/aliases',
    {
      schema: {
        summary: "List a tenant's issuer aliases",
        params: Params,
        response: { 200: AliasList, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => ({ aliases: await listAliases(db, request.params.tid) }),
  );

  app.post(
    '/tenants/rest/v1/:tid/aliases',
    {
      schema: {
        summary: 'Add an issuer alias',
        params: Params,
        body: AliasBody,
        response: { 201: AliasView, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { issuer, mode } = request.body;
      const problem = issuerProblem(issuer);
      if (problem) {
        throw new HttpError(400, 'invalid_request', `Bad request: issuer ${problem}`, {
          extra: { errors: [{ path: '$.issuer', message: problem }] },
        });
      }
      await checkNewIssuers(db, settings.issuerBaseUrls, request.admin, request.params.tid, [issuer]);
      await addAlias(db, request.params.tid, { issuer, mode }, { actor: auditActor(request) });
      await announce(request.params.tid);
      return reply.code(201).send({ issuer, mode });
    },
  );

  app.delete(
    '/tenants/rest/v1/:tid/aliases',
    {
      schema: {
        summary: 'Remove an issuer alias',
        params: Params,
        querystring: Type.Object(
          { issuer: Type.String({ minLength: 1, maxLength: 2000 }) },
          { additionalProperties: false },
        ),
        response: { 204: { type: 'null', description: 'removed' }, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { tid } = request.params;
      const problem = issuerProblem(request.query.issuer);
      if (problem)
        throw new HttpError(400, 'invalid_request', `Bad request: issuer ${problem}`, {
          extra: { errors: [{ path: '$.issuer', message: problem }] },
        });
      if (!(await removeAlias(db, tid, request.query.issuer, auditActor(request))))
        throw notFound(`Tenant "${tid}" has no alias ${request.query.issuer}`, 'alias_not_found');
      await announce(tid);
      return reply.code(204).send();
    },
  );
}
