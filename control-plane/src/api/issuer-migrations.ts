import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { appendAudit } from '@tessera/shared/audit/audit-log';
import { HttpError, notFound } from '@tessera/shared/http/errors';
import { issuerProblem, TID_PATTERN } from '@tessera/shared/tenancy/identifiers';
import type { FastifyInstance } from 'fastify';
import { auditActor } from '../auth/audit-actor.ts';
import { taskQueue } from '../temporal/task-queues.ts';
import { checkNewIssuers } from '../tenants/issuer-policy.ts';
import { workflowServiceUnavailable } from '../tenants/tenant-workflows.ts';
import type { MigrateIssuerResult, MigrationProgress } from '../workflows/issuer-migration-types.ts';
import type { migrateIssuer } from '../workflows/migrate-issuer.ts';
import { migrationWorkflowId } from '../workflows/migration-ids.ts';
import type { ControlPlaneDeps } from './deps.ts';
import { ErrorBody } from './schemas.ts';

// Checked before any query: a malformed tid is a 400, never a database error.
const TidParam = Type.String({ maxLength: 63, pattern: TID_PATTERN });
const Params = Type.Object({ tid: TidParam });
const RunParams = Type.Object({
  tid: TidParam,
  id: Type.String({
    pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
    description: 'the migration id (a workflow run id)',
  }),
});
const StartBody = Type.Object(
  {
    new_issuer: Type.String({ minLength: 1, maxLength: 2000 }),
    window_seconds: Type.Integer({ minimum: 1, maximum: 86_400 * 365, description: 'how long both URLs are served' }),
  },
  { additionalProperties: false },
);
const MigrationView = Type.Object({
  id: Type.String(),
  tid: Type.String(),
  state: Type.String(),
  old_issuer: Type.String(),
  new_issuer: Type.String(),
  window_started_at: Type.Union([Type.String(), Type.Null()]),
  window_ends_at: Type.Union([Type.String(), Type.Null()]),
  old_issuer_requests: Type.Integer(),
  old_issuer_recent_requests: Type.Integer(),
  old_issuer_last_request_at: Type.Union([Type.String(), Type.Null()]),
  counted_at: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Optional(Type.String()),
});

/** How often a running migration reads the old issuer's request counters (`TESSERA_MIGRATION_POLL_MS`, default 10 s). */
export function migrationPollMs(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.TESSERA_MIGRATION_POLL_MS || 10_000);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error('TESSERA_MIGRATION_POLL_MS must be a positive number of milliseconds');
  return n;
}

const unavailable = workflowServiceUnavailable;
const noMigration = (tid: string, id: string) =>
  notFound(`Tenant "${tid}" has no issuer migration ${id}`, 'migration_not_found');

async function progressOf(client: Client, tid: string, id: string): Promise<MigrationProgress> {
  const handle = client.workflow.getHandle<typeof migrateIssuer>(migrationWorkflowId(tid), id);
  try {
    return await handle.query<MigrationProgress>('progress');
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw noMigration(tid, id);
    throw unavailable(err);
  }
}

/**
 * Issuer migrations (`migrateIssuer`, contract §5): start one, follow its
 * progress, end its window early (`complete`) or undo it (`cancel`). A
 * migration is named by its workflow run id; one runs per tenant at a time.
 */
export function registerIssuerMigrationRoutes(
  root: FastifyInstance,
  deps: Pick<ControlPlaneDeps, 'db' | 'settings' | 'temporal' | 'temporalSettings'>,
): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db, settings, temporal, temporalSettings } = deps;
  const view = (tid: string, id: string, progress: MigrationProgress) => ({ id, tid, ...progress });

  app.post(
    '/tenants/rest/v1/:tid/issuer-migrations',
    {
      schema: {
        summary: 'Start an issuer migration',
        params: Params,
        body: StartBody,
        response: {
          202: MigrationView,
          400: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { tid } = request.params;
      const { new_issuer: newIssuer, window_seconds: windowSeconds } = request.body;
      const problem = issuerProblem(newIssuer);
      if (problem)
        throw new HttpError(400, 'invalid_request', `Bad request: new_issuer ${problem}`, {
          extra: { errors: [{ path: '$.new_issuer', message: problem }] },
        });
      const tenant = await db
        .selectFrom('tenants')
        .select(['issuer', 'status'])
        .where('tid', '=', tid)
        .executeTakeFirst();
      if (!tenant) throw notFound(`No tenant "${tid}"`, 'tenant_not_found');
      if (tenant.status !== 'active') throw new HttpError(409, 'tenant_not_active', `The tenant is ${tenant.status}`);
      // The new URL must be new (a cancelled migration then restores the old state exactly by removing it),
      // and follow the issuer rules; the workflow's alias step checks again under the issuer lock.
      await checkNewIssuers(db, settings.issuerBaseUrls, request.admin, tid, [newIssuer]);
      let runId: string;
      try {
        const handle = await temporal.workflow.start<typeof migrateIssuer>('migrateIssuer', {
          workflowId: migrationWorkflowId(tid),
          taskQueue: taskQueue('tenants', temporalSettings.taskQueuePrefix),
          args: [
            {
              tid,
              oldIssuer: tenant.issuer,
              newIssuer,
              windowMs: windowSeconds * 1000,
              progressPollMs: migrationPollMs(),
              timings: temporalSettings.timings,
            },
          ],
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
          workflowIdConflictPolicy: 'FAIL',
        });
        runId = handle.firstExecutionRunId;
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError)
          throw new HttpError(409, 'migration_in_progress', `Tenant "${tid}" is already migrating its issuer`);
        throw unavailable(err);
      }
      // Recorded once Temporal holds the run (the change itself); its outcome is recorded by the run.
      await appendAudit(db, [
        {
          tid,
          actor: auditActor(request),
          action: 'issuer_migration.started',
          target: `issuer_migration:${runId}`,
          details: { old_issuer: tenant.issuer, new_issuer: newIssuer, window_seconds: windowSeconds },
        },
      ]);
      return reply
        .code(202)
        .header('location', `/tenants/rest/v1/${tid}/issuer-migrations/${runId}`)
        .send(view(tid, runId, await progressOf(temporal, tid, runId)));
    },
  );

  app.get(
    '/tenants/rest/v1/:tid/issuer-migrations/:id',
    {
      schema: {
        summary: 'An issuer migration and its progress',
        params: RunParams,
        response: { 200: MigrationView, 400: ErrorBody, 404: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const { tid, id } = request.params;
      return view(tid, id, await progressOf(temporal, tid, id));
    },
  );

  for (const action of ['complete', 'cancel'] as const) {
    app.post(
      `/tenants/rest/v1/:tid/issuer-migrations/:id/${action}`,
      {
        schema: {
          summary:
            action === 'complete'
              ? 'End the window now and drop the old issuer'
              : 'Undo the migration: the old issuer is primary again',
          params: RunParams,
          response: { 202: MigrationView, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 503: ErrorBody },
        },
      },
      async (request, reply) => {
        const { tid, id } = request.params;
        const handle = temporal.workflow.getHandle<typeof migrateIssuer>(migrationWorkflowId(tid), id);
        let running: boolean;
        try {
          running = (await handle.describe()).status.name === 'RUNNING';
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) throw noMigration(tid, id);
          throw unavailable(err);
        }
        if (!running) throw new HttpError(409, 'migration_finished', `The issuer migration ${id} has finished`);
        try {
          await handle.signal(action);
        } catch (err) {
          if (err instanceof WorkflowNotFoundError)
            throw new HttpError(409, 'migration_finished', `The issuer migration ${id} has finished`);
          throw unavailable(err);
        }
        await appendAudit(db, [
          {
            tid,
            actor: auditActor(request),
            action:
              action === 'complete'
                ? 'issuer_migration.completion_requested'
                : 'issuer_migration.cancellation_requested',
            target: `issuer_migration:${id}`,
          },
        ]);
        return reply.code(202).send(view(tid, id, await progressOf(temporal, tid, id)));
      },
    );
  }
}

/** The outcome of a finished migration (tests and tools wait on it). */
export async function migrationResult(client: Client, tid: string, id: string): Promise<MigrateIssuerResult> {
  return client.workflow.getHandle<typeof migrateIssuer>(migrationWorkflowId(tid), id).result();
}
