import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DELIVERY_ID_PATTERN } from '@tessera/shared/events/event-destinations';
import { errors } from '@tessera/shared/http/error-constructors';
import { notFound } from '@tessera/shared/http/errors';
import { createRedis } from '@tessera/shared/redis';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { DeadLetters } from '../events/dead-letters.ts';
import { type DeliveryJob, EVENTS_QUEUE } from '../events/events-queue.ts';
import type { ControlPlaneDeps } from './deps.ts';
import { ErrorBody, Tid } from './schemas.ts';

const DeliveryId = Type.String({ pattern: DELIVERY_ID_PATTERN, description: 'a delivery id: <event id>-<16 hex>' });
const ListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(DeliveryId),
  },
  { additionalProperties: false },
);
const DeadLetterView = Type.Object({
  id: DeliveryId,
  event_id: Type.String(),
  type: Type.String(),
  url: Type.String(),
  source: Type.String({ description: '`endpoint` (events.endpoints) or the event-listener slot' }),
  attempts: Type.Integer(),
  last_error: Type.String(),
  failed_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const DeadLetterPage = Type.Object({
  dead_letters: Type.Array(DeadLetterView),
  next_cursor: Type.Optional(Type.String({ description: 'pass as `cursor` for the next page; absent on the last' })),
});
const RetryParams = Type.Object({ tid: Tid, id: DeliveryId });
const TidOnly = Type.Object({ tid: Tid });
const Queued = Type.Object({ id: DeliveryId, state: Type.Literal('waiting') });

/**
 * The dead-letter list of a tenant's event deliveries (docs/events.md):
 * `GET /tenants/rest/v1/{tid}/events/dead-letters` (oldest event first,
 * cursor and limit) and `POST …/dead-letters/{id}/retry` (re-drive: the
 * delivery starts over with all its attempts). Any admin role within its
 * tenant (a tenant-scoped token sees its own: the admin auth hook checks
 * `:tid`).
 */
export function registerEventDeliveryRoutes(root: FastifyInstance, deps: ControlPlaneDeps): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  let queue: Queue<DeliveryJob> | undefined;
  let connection: ReturnType<typeof createRedis> | undefined;
  const deadLetters = new DeadLetters(deps.redis, () => {
    if (!queue) {
      connection = createRedis(deps.settings.redisUrl, '', { bullmq: true });
      queue = new Queue<DeliveryJob>(EVENTS_QUEUE, { connection, prefix: `${deps.settings.redisPrefix}bull` });
    }
    return queue;
  });
  root.addHook('onClose', async () => {
    await queue?.close();
    await connection?.quit().catch(() => undefined);
  });
  const tenantExists = async (tid: string) => {
    const row = await deps.db.selectFrom('tenants').select('tid').where('tid', '=', tid).executeTakeFirst();
    if (!row) throw notFound(`No tenant "${tid}"`, 'tenant_not_found');
  };

  app.get(
    '/tenants/rest/v1/:tid/events/dead-letters',
    {
      schema: {
        summary: "A tenant's event deliveries that exhausted their attempts",
        params: TidOnly,
        querystring: ListQuery,
        response: { 200: DeadLetterPage, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { tid } = request.params;
      await tenantExists(tid);
      const { items, next } = await deadLetters.list(tid, request.query.limit, request.query.cursor);
      return { dead_letters: items, ...(next ? { next_cursor: next } : {}) };
    },
  );

  app.post(
    '/tenants/rest/v1/:tid/events/dead-letters/:id/retry',
    {
      schema: {
        summary: 'Re-drive a dead letter: deliver it again, with all its attempts',
        params: RetryParams,
        response: { 202: Queued, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { tid, id } = request.params;
      await tenantExists(tid);
      const outcome = await deadLetters.retry(tid, id);
      if (outcome === 'missing') throw notFound(`No dead letter ${id}`);
      if (outcome === 'busy') throw errors.conflict(`Dead letter ${id} cannot be re-driven now; try again`);
      return reply.code(202).send({ id, state: 'waiting' as const });
    },
  );
}
