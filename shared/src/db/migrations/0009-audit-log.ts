import { type Kysely, sql } from 'kysely';

/**
 * The audit log (docs/audit.md): who did what to which tenant, and when.
 *
 * - No foreign key to `tenants`: records outlive a deleted tenant for the
 *   retention period. `tid` is null for actions on no tenant (plans, unscoped
 *   admin tokens).
 * - Append-only: a trigger refuses UPDATE always, and DELETE or TRUNCATE
 *   unless the retention purge set `tessera.audit_purge` for its transaction
 *   (`set local`, so it never leaks to another statement on a pooled
 *   connection).
 * - `event_id` (the relayed event's stable id) is unique, so relaying an
 *   event twice records it once.
 * - `plans.audit_retention_days`: how long a tenant's records are kept.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('tid', 'varchar(63)')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // admin:<token id> | operator | client:<client_id> | sub:<subject> | system
    .addColumn('actor', 'varchar(300)', (c) => c.notNull())
    // An event type (shared/src/events/event-types.ts) or an administrative action (tenant.config_changed, …).
    .addColumn('action', 'varchar(100)', (c) => c.notNull())
    // What was acted on: "tenant:acme", "alias:https://…", "api_token:<id>", "plan:free", …
    .addColumn('target', 'varchar(500)')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('event_id', 'varchar(64)', (c) => c.unique())
    .execute();
  // Queries are per tenant, newest first, paged by id; the purge reads by occurred_at.
  await sql`create index audit_log_tid_id on audit_log (tid, id desc)`.execute(db);
  await sql`create index audit_log_occurred_at on audit_log (occurred_at)`.execute(db);
  // Revoking an admin token files it under the tenant its creation was filed under.
  await sql`create index audit_log_admin_tokens on audit_log (target) where action = 'admin_token.created'`.execute(db);

  // Statement-level: it raises (refusing the whole statement) or lets it through; no row is skipped silently.
  await sql`
    create function audit_log_guard() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' or coalesce(current_setting('tessera.audit_purge', true), '') <> 'on' then
        raise exception 'audit_log is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
      end if;
      return null;
    end
    $$`.execute(db);
  await sql`create trigger audit_log_no_update_delete before update or delete on audit_log
    for each statement execute function audit_log_guard()`.execute(db);
  await sql`create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_guard()`.execute(db);

  await sql`alter table plans add column audit_retention_days integer not null default 30
    check (audit_retention_days between 1 and 3650)`.execute(db);
  const retention: Record<string, number> = { free: 7, developer: 30, business: 90, enterprise: 365 };
  for (const [id, days] of Object.entries(retention))
    await sql`update plans set audit_retention_days = ${days} where id = ${id}`.execute(db);
}
