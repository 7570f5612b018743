import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ADMIN_ACTIONS } from '@tessera/shared/audit/audit-actions';
import { type AuditQuery, decodeAuditCursor, queryAudit } from '@tessera/shared/audit/audit-log';
import { EVENT_TYPES } from '@tessera/shared/events/event-types';
import { errors } from '@tessera/shared/http/error-constructors';
import type { FastifyInstance } from 'fastify';
import type { ControlPlaneDeps } from './deps.ts';
import { ErrorBody, TidParams } from './schemas.ts';

const ACTIONS: readonly string[] = [...EVENT_TYPES, ...ADMIN_ACTIONS];
const FAMILIES = new Set(ACTIONS.map((a) => a.slice(0, a.indexOf('.'))));
const ACTOR = /^(?:operator|system|(?:admin|client|sub):[^\s]{1,255})$/;

const AuditQuerystring = Type.Object(
  {
    from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601: records that occurred at or after' })),
    to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601: records that occurred before' })),
    action: Type.Optional(
      Type.String({ maxLength: 100, description: 'an action (tenant.config_changed) or a family (tenant.*)' }),
    ),
    actor: Type.Optional(
      Type.String({ maxLength: 300, description: 'operator, system, admin:<jti>, client:<id> or sub:<subject>' }),
    ),
    cursor: Type.Optional(Type.String({ maxLength: 100, description: "the previous page's next_cursor" })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);
const AuditEntryView = Type.Object({
  id: Type.String(),
  tid: Type.Union([Type.String(), Type.Null()]),
  occurred_at: Type.String({ format: 'date-time' }),
  actor: Type.String(),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  event_id: Type.Union([Type.String(), Type.Null()], { description: 'the relayed event’s id' }),
});
const AuditPageView = Type.Object({
  records: Type.Array(AuditEntryView),
  next_cursor: Type.Optional(Type.String({ description: 'absent on the last page' })),
});

/** An ISO 8601 time with a date, or 400. */
function instant(value: string, name: string): Date {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw errors.invalidRequest(`${name} is not an ISO 8601 time (2030-01-31 or 2030-01-31T12:00:00Z)`);
  return new Date(ms);
}

function checkAction(action: string): void {
  const known = action.endsWith('.*') ? FAMILIES.has(action.slice(0, -2)) : ACTIONS.includes(action);
  if (!known)
    throw errors.invalidRequest(`action "${action}" is neither a recorded action nor a family of them (tenant.*)`);
}

/**
 * `GET /tenants/rest/v1/{tid}/audit` (docs/audit.md): the tenant's audit
 * records, newest first, filtered by time, action and actor, a page at a
 * time with an opaque cursor. The operator and unscoped admin tokens read
 * any tenant's, a deleted one's too (records outlive it); a tenant-scoped
 * token only its own (the admin auth hook checks `:tid`).
 */
export function registerAuditRoutes(root: FastifyInstance, deps: ControlPlaneDeps): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = deps;
  app.get(
    '/tenants/rest/v1/:tid/audit',
    {
      schema: {
        summary: "A tenant's audit log, newest first",
        params: TidParams,
        querystring: AuditQuerystring,
        response: { 200: AuditPageView, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => {
      const { from, to, action, actor, cursor, limit } = request.query;
      const query: AuditQuery = { limit };
      if (from !== undefined) query.from = instant(from, 'from');
      if (to !== undefined) query.to = instant(to, 'to');
      if (query.from && query.to && query.from >= query.to) throw errors.invalidRequest('from must be before to');
      if (action !== undefined) {
        checkAction(action);
        query.action = action;
      }
      if (actor !== undefined) {
        if (!ACTOR.test(actor))
          throw errors.invalidRequest('actor is operator, system, admin:<jti>, client:<client_id> or sub:<subject>');
        query.actor = actor;
      }
      if (cursor !== undefined) {
        if (decodeAuditCursor(cursor) === undefined) throw errors.invalidRequest('cursor is not one this API gave');
        query.cursor = cursor;
      }
      return queryAudit(db, request.params.tid, query);
    },
  );
}
