import { createHash } from 'node:crypto';
import type { Metric } from '@tessera/shared/billing/metrics';
import type { PlanStripe } from '@tessera/shared/billing/plan';
import type { Db } from '@tessera/shared/db/database';
import { sql } from 'kysely';
import type Stripe from 'stripe';
import { dailyQuantities } from './metered-quantities.ts';

/** What reporting needs of the SDK: `stripe.billing.meterEvents`. */
export type MeterEvents = Pick<Stripe['billing']['meterEvents'], 'create'>;

/** Stripe takes meter events dated up to 35 days back; a day is reported while it is younger than that. */
const REPORT_WINDOW_DAYS = 34;
const DAY_MS = 86_400_000;

export interface ReportResult {
  /** Meter events sent (each new quantity of a tenant, metric and day). */
  sent: number;
}

/** Idempotency key and meter-event identifier of one report: the same report, the same key (Stripe drops the repeat). */
export const reportKey = (tid: string, metric: string, day: string, cumulative: number): string =>
  `tessera-usage-${createHash('sha256').update(`${tid}|${metric}|${day}|${cumulative}`).digest('hex').slice(0, 40)}`;

/**
 * The reporting step of the usage job (docs/billing.md): for each tenant
 * with a Stripe customer whose plan names a Billing Meter for a metric, send
 * what `usage` holds beyond what `usage_reports` says was reported, per day,
 * as one meter event (value = the difference). A report is keyed by
 * (tenant, metric, day, new total) and written down before it is sent
 * (`reportDay`): a run repeated, or one after a crash between Stripe's
 * answer and the commit, sends the same key and identifier, which Stripe
 * answers once, and never folds an unconfirmed report into a newer one.
 */
export async function reportUsage(db: Db, meterEvents: MeterEvents, now = Date.now()): Promise<ReportResult> {
  const since = new Date(now - REPORT_WINDOW_DAYS * DAY_MS).toISOString().slice(0, 10);
  // From the first of that month: monthly active subjects are reported as each day's growth in its month.
  const from = `${since.slice(0, 7)}-01`;
  const accounts = await db
    .selectFrom('billing_accounts as b')
    .innerJoin('tenants as t', 't.tid', 'b.tid')
    .innerJoin('plans as p', 'p.id', 't.plan')
    .select(['b.tid', 'b.stripe_customer_id', 'p.stripe'])
    .where('b.stripe_customer_id', 'is not', null)
    .orderBy('b.tid')
    .execute();
  let sent = 0;
  for (const account of accounts) {
    const meters = (account.stripe as PlanStripe | null)?.meters ?? {};
    if (Object.keys(meters).length === 0) continue;
    const [rows, reports] = await Promise.all([
      db
        .selectFrom('usage')
        .select(['day', 'dimension', 'value'])
        .where('tid', '=', account.tid)
        .where('day', '>=', from)
        .execute(),
      db
        .selectFrom('usage_reports')
        .select(['metric', 'day', 'quantity'])
        .where('tid', '=', account.tid)
        .where('day', '>=', from)
        .execute(),
    ]);
    const reported = new Map(reports.map((r) => [`${r.metric}|${r.day}`, Number(r.quantity)]));
    const quantities = dailyQuantities(
      rows.map((r) => ({ day: r.day, dimension: r.dimension, value: Number(r.value) })),
    );
    for (const { day, metric, quantity } of quantities) {
      const meter = meters[metric];
      if (!meter?.event_name || day < since) continue;
      if (quantity <= (reported.get(`${metric}|${day}`) ?? 0)) continue;
      const report = { tid: account.tid, customer: account.stripe_customer_id!, metric, day, quantity };
      if (await reportDay(db, meterEvents, meter.event_name, report)) sent++;
    }
  }
  return { sent };
}

/**
 * One (tenant, metric, day), as an outbox: under its lock, write down the
 * report (the new total and its key) and commit; send it; then, under the
 * lock again, record it as reported. A report whose send failed or whose
 * completion was lost stays written down and is sent again, the same (same
 * key, identifier and value, which Stripe answers once), before anything
 * newer, so usage is never sent twice under two keys.
 */
async function reportDay(
  db: Db,
  meterEvents: MeterEvents,
  eventName: string,
  report: { tid: string; customer: string; metric: Metric; day: string; quantity: number },
): Promise<boolean> {
  const { tid, customer, metric, day } = report;
  let sent = false;
  // At most twice: a report left pending, then the newer quantity.
  for (let round = 0; round < 2; round++) {
    const due = await writeDown(db, report);
    if (due === undefined) break;
    await meterEvents.create(
      {
        event_name: eventName,
        identifier: due.key,
        // Dated at the start of its UTC day, the same on every retry (the key's request must not change).
        timestamp: Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000),
        payload: { stripe_customer_id: customer, value: String(due.total - due.before) },
      },
      { idempotencyKey: due.key },
    );
    await db.transaction().execute(async (trx) => {
      await lockReport(trx, tid, metric, day);
      await trx
        .updateTable('usage_reports')
        .set({
          quantity: due.total,
          idempotency_key: due.key,
          pending_quantity: null,
          pending_key: null,
          reported_at: sql`now()`,
        })
        .where('tid', '=', tid)
        .where('metric', '=', metric)
        .where('day', '=', day)
        .where('pending_key', '=', due.key)
        .execute();
    });
    sent = true;
    if (!due.wasPending) break;
  }
  return sent;
}

const lockReport = (trx: Db, tid: string, metric: string, day: string) =>
  sql`select pg_advisory_xact_lock(hashtext(${`usage-report|${tid}|${metric}|${day}`}))`.execute(trx);

/**
 * The report to send now, written down before it is sent: the one left
 * pending if there is one, else the quantity beyond what was reported
 * (undefined when there is none).
 */
async function writeDown(
  db: Db,
  report: { tid: string; metric: Metric; day: string; quantity: number },
): Promise<{ key: string; before: number; total: number; wasPending: boolean } | undefined> {
  const { tid, metric, day, quantity } = report;
  return db.transaction().execute(async (trx) => {
    await lockReport(trx, tid, metric, day);
    const row = await trx
      .selectFrom('usage_reports')
      .select(['quantity', 'pending_quantity', 'pending_key'])
      .where('tid', '=', tid)
      .where('metric', '=', metric)
      .where('day', '=', day)
      .executeTakeFirst();
    const before = Number(row?.quantity ?? 0);
    if (row?.pending_key && row.pending_quantity !== null)
      return { key: row.pending_key, before, total: Number(row.pending_quantity), wasPending: true };
    if (quantity <= before) return undefined; // reported already (by another run, perhaps)
    const key = reportKey(tid, metric, day, quantity);
    await trx
      .insertInto('usage_reports')
      .values({ tid, metric, day, quantity: 0, idempotency_key: key, pending_quantity: quantity, pending_key: key })
      .onConflict((c) =>
        c.columns(['tid', 'metric', 'day']).doUpdateSet({ pending_quantity: quantity, pending_key: key }),
      )
      .execute();
    return { key, before, total: quantity, wasPending: false };
  });
}
