import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { redactSecrets } from './secret-guard.ts';

/**
 * One audit record (docs/audit.md). Build it from explicit fields, never by
 * spreading a request body: `details` is still passed through the secret
 * guard, but the guard is the second line, not the first.
 */
export interface AuditRecord {
  /** The tenant acted on; null for actions on no tenant (plans, unscoped admin tokens). */
  tid: string | null;
  /** `admin:<token id>`, `operator`, `client:<client_id>`, `sub:<subject>` or `system`. */
  actor: string;
  /** An event type (shared/src/events/event-types.ts) or an administrative action (audit-actions.ts). */
  action: string;
  /** What was acted on, e.g. `tenant:acme`, `api_token:<id>`, `plan:free`. */
  target?: string | null;
  details?: Record<string, unknown>;
  /** When it happened (a relayed event's own time); now when absent. */
  occurredAt?: Date | string;
  /** A relayed event's stable id: the same id is recorded once. */
  eventId?: string | null;
}

/** A stored record as the API shows it. */
export interface AuditEntry {
  id: string;
  tid: string | null;
  occurred_at: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  event_id: string | null;
}

/** The database or a transaction of it: an administrative change records itself in its own transaction. */
export type AuditExecutor = Db;

/**
 * Append records; a record whose `eventId` is already stored is skipped
 * (relaying an event twice records it once). Returns how many were stored.
 */
export async function appendAudit(executor: AuditExecutor, records: readonly AuditRecord[]): Promise<number> {
  if (records.length === 0) return 0;
  const result = await executor
    .insertInto('audit_log')
    .values(
      records.map((r) => ({
        tid: r.tid,
        actor: r.actor,
        action: r.action,
        target: r.target ?? null,
        details: JSON.stringify(redactSecrets(r.details ?? {})),
        occurred_at: r.occurredAt ?? sql<Date>`now()`,
        event_id: r.eventId ?? null,
      })),
    )
    .onConflict((oc) => oc.column('event_id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}

export interface AuditQuery {
  /** occurred_at at or after. */
  from?: Date;
  /** occurred_at before. */
  to?: Date;
  /** An exact action, or a family ending in `.*` (`tenant.*`). */
  action?: string;
  actor?: string;
  /** From the previous page's `next_cursor`. */
  cursor?: string;
  limit: number;
}

export interface AuditPage {
  records: AuditEntry[];
  /** Absent on the last page. */
  next_cursor?: string;
}

/** The cursor is opaque to callers: the last id seen, versioned so its form may change. */
const CURSOR_PREFIX = 'a1:';
export const encodeAuditCursor = (id: string): string => Buffer.from(CURSOR_PREFIX + id).toString('base64url');

/** The id in a cursor, or undefined when it is not one of ours. */
export function decodeAuditCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(CURSOR_PREFIX)) return undefined;
  const id = text.slice(CURSOR_PREFIX.length);
  // A bigint id: larger would be a database error, not an empty page.
  return /^[1-9][0-9]{0,18}$/.test(id) && BigInt(id) <= 9_223_372_036_854_775_807n ? id : undefined;
}

/**
 * One tenant's records, newest recorded first, `limit` at a time. The
 * caller checks the filters (the API answers 400); a cursor that is not one
 * of ours throws `RangeError`.
 */
export async function queryAudit(db: Db, tid: string, query: AuditQuery): Promise<AuditPage> {
  let q = db
    .selectFrom('audit_log')
    .select(['id', 'tid', 'occurred_at', 'actor', 'action', 'target', 'details', 'event_id'])
    .where('tid', '=', tid);
  if (query.cursor !== undefined) {
    const after = decodeAuditCursor(query.cursor);
    if (after === undefined) throw new RangeError('not an audit cursor');
    q = q.where('id', '<', after);
  }
  if (query.from) q = q.where('occurred_at', '>=', query.from);
  if (query.to) q = q.where('occurred_at', '<', query.to);
  if (query.action?.endsWith('.*')) q = q.where('action', 'like', `${escapeLike(query.action.slice(0, -1))}%`);
  else if (query.action) q = q.where('action', '=', query.action);
  if (query.actor) q = q.where('actor', '=', query.actor);
  const rows = await q
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit).map(
    (row): AuditEntry => ({
      id: String(row.id),
      tid: row.tid,
      occurred_at: new Date(row.occurred_at).toISOString(),
      actor: row.actor,
      action: row.action,
      target: row.target,
      details: row.details,
      event_id: row.event_id,
    }),
  );
  const last = page.at(-1);
  return rows.length > query.limit && last
    ? { records: page, next_cursor: encodeAuditCursor(last.id) }
    : { records: page };
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
