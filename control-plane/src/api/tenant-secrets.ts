import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { appendAudit } from '@tessera/shared/audit/audit-log';
import { HttpError, notFound } from '@tessera/shared/http/errors';
import {
  SECRET_NAME_PATTERN,
  SECRET_VALUE_MAX,
  TenantSecretStore,
  WEBHOOK_SECRET_NAME,
} from '@tessera/shared/plugins/tenant-secret-store';
import { announceTenantChange } from '@tessera/shared/tenancy/change-channel';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { auditActor } from '../auth/audit-actor.ts';
import type { ControlPlaneDeps } from './deps.ts';
import { ErrorBody, Tid } from './schemas.ts';

const SecretName = Type.String({
  pattern: SECRET_NAME_PATTERN,
  description: 'lowercase letters, digits and dashes, starting with a letter',
});
const Timestamp = Type.String({ format: 'date-time' });
const SecretInfo = Type.Object({
  name: Type.String(),
  created_at: Timestamp,
  previous_valid_until: Type.Union([Timestamp, Type.Null()], {
    description: 'until when the value it replaced still signs (the webhook secret after a rotation)',
  }),
});

/**
 * A tenant's plugin secrets (docs/plugins/webhooks.md): the webhook signing
 * secret, generated and shown once on each rotation, and values the
 * tenant's admin sets for its plugins (an LDAP bind password), never shown
 * back; listings carry names and dates only. Open to every role within its
 * tenant, like its API tokens: the admin auth hook refuses a token scoped to
 * another tenant. Every change is audited (the name, never the value) and
 * announced, so nodes drop their cached copy at once.
 */
export function registerTenantSecretRoutes(root: FastifyInstance, deps: ControlPlaneDeps): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db, redis, settings, masterKey } = deps;
  const exists = async (tid: string) => {
    const row = await db.selectFrom('tenants').select('status').where('tid', '=', tid).executeTakeFirst();
    if (!row) throw notFound(`No tenant "${tid}"`, 'tenant_not_found');
    return row.status;
  };
  const writable = async (tid: string) => {
    const status = await exists(tid);
    if (status === 'failed' || status === 'deprovisioning')
      throw new HttpError(409, 'invalid_status', `The tenant is ${status}`);
  };
  /** A change and its audit record in one transaction, then the announce. */
  const change = async <T>(
    request: FastifyRequest,
    tid: string,
    action: string,
    name: string,
    write: (store: TenantSecretStore) => Promise<T>,
  ): Promise<T> => {
    const result = await db.transaction().execute(async (trx) => {
      const written = await write(new TenantSecretStore(trx, masterKey));
      await appendAudit(trx, [{ tid, actor: auditActor(request), action, target: `tenant_secret:${name}` }]);
      return written;
    });
    await announceTenantChange(db, redis, settings.redisPrefix, tid);
    return result;
  };

  app.post(
    '/tenants/rest/v1/:tid/webhook-secret',
    {
      schema: {
        summary: 'Create or rotate the webhook signing secret (shown once)',
        description:
          'The new secret signs every webhook call and event delivery from now on; the one it replaces signs too (a second v1) for 24 hours, so receivers can switch over.',
        params: Type.Object({ tid: Tid }),
        response: {
          201: Type.Object({ secret: Type.String(), created_at: Timestamp }),
          403: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { tid } = request.params;
      await writable(tid);
      const { secret, createdAt } = await change(request, tid, 'webhook_secret.rotated', WEBHOOK_SECRET_NAME, (s) =>
        s.rotateWebhookSecret(tid),
      );
      return reply.code(201).header('cache-control', 'no-store').send({ secret, created_at: createdAt.toISOString() });
    },
  );

  app.get(
    '/tenants/rest/v1/:tid/secrets',
    {
      schema: {
        summary: "List the tenant's plugin secrets (names and dates, never values)",
        params: Type.Object({ tid: Tid }),
        response: { 200: Type.Object({ secrets: Type.Array(SecretInfo) }), 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { tid } = request.params;
      await exists(tid);
      const secrets = await new TenantSecretStore(db, masterKey).list(tid);
      return {
        secrets: secrets.map((s) => ({
          name: s.name,
          created_at: s.createdAt.toISOString(),
          previous_valid_until: s.previousValidUntil?.toISOString() ?? null,
        })),
      };
    },
  );

  app.put(
    '/tenants/rest/v1/:tid/secrets/:name',
    {
      schema: {
        summary: 'Set a plugin secret (e.g. an LDAP bind password); never shown back',
        params: Type.Object({ tid: Tid, name: SecretName }),
        body: Type.Object(
          { value: Type.String({ minLength: 1, maxLength: SECRET_VALUE_MAX }) },
          { additionalProperties: false },
        ),
        response: {
          204: { type: 'null', description: 'set' },
          400: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { tid, name } = request.params;
      if (name === WEBHOOK_SECRET_NAME)
        throw new HttpError(
          400,
          'invalid_request',
          `The "${WEBHOOK_SECRET_NAME}" secret is generated: POST /tenants/rest/v1/${tid}/webhook-secret`,
        );
      await writable(tid);
      await change(request, tid, 'tenant_secret.set', name, (s) => s.set(tid, name, request.body.value));
      return reply.code(204).send();
    },
  );

  app.delete(
    '/tenants/rest/v1/:tid/secrets/:name',
    {
      schema: {
        summary: 'Delete a plugin secret (the webhook secret too: webhooks then fail as no_secret)',
        params: Type.Object({ tid: Tid, name: SecretName }),
        response: { 204: { type: 'null', description: 'deleted' }, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { tid, name } = request.params;
      await exists(tid);
      await change(request, tid, 'tenant_secret.deleted', name, async (s) => {
        // None of that name: a 404 before anything is recorded or announced.
        if (!(await s.delete(tid, name))) throw notFound(`No secret "${name}" for tenant "${tid}"`);
      });
      return reply.code(204).send();
    },
  );
}
