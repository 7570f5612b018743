import type { Db } from '@tessera/shared/db/database';
import type { Database } from '@tessera/shared/db/schema';
import { type Kysely, sql } from 'kysely';
import type Stripe from 'stripe';
import { readBillingAccount, recordSubscription } from './billing-account-store.ts';
import { resumeFromBilling, suspendForBilling } from './billing-suspension.ts';
import type { GraceTimer } from './grace-timer.ts';
import { type StripeObject, tenantOfStripeObject } from './stripe-event-tenant.ts';

export interface StripeEventDeps {
  db: Db;
  /** How long an unpaid invoice is tolerated before the tenant is suspended (0: at once). */
  graceMs: number;
  startGraceTimer: GraceTimer;
}

/** What handling an event did: whether it was seen before, and which tenant's status or plan changed (to announce). */
export interface StripeEventOutcome {
  duplicate: boolean;
  tid: string | null;
  changed: boolean;
}

interface Effect {
  changed: boolean;
}
type Handler = (trx: Kysely<Database>, tid: string, o: StripeObject, deps: StripeEventDeps) => Promise<Effect>;

/** The subscription events are about the tenant's current subscription only (not one cancelled by a move to a free plan). */
async function isCurrentSubscription(trx: Kysely<Database>, tid: string, o: StripeObject): Promise<boolean> {
  const account = await readBillingAccount(trx, tid);
  return account?.subscriptionId !== null && account?.subscriptionId !== undefined && account.subscriptionId === o.id;
}

/** The events we act on; any other type is stored (so a replay stays a no-op) and ignored. */
const HANDLERS: Record<string, Handler> = {
  async 'invoice.payment_failed'(trx, tid, _o, { graceMs, startGraceTimer }) {
    // The first failure starts the grace period; more failures before payment do not extend it.
    const row = await trx
      .updateTable('billing_accounts')
      .set({
        payment_failed_at: sql<Date>`coalesce(payment_failed_at, now())`,
        grace_until: sql<Date>`coalesce(grace_until, now() + make_interval(secs => ${graceMs / 1000}))`,
        updated_at: sql<Date>`now()`,
      })
      .where('tid', '=', tid)
      .returning(['grace_until', sql<Date>`now()`.as('now')])
      .executeTakeFirst();
    if (!row?.grace_until) return { changed: false };
    const until = new Date(row.grace_until).getTime();
    if (until <= new Date(row.now).getTime())
      return { changed: await suspendForBilling(trx, tid, 'an invoice is unpaid and its grace period is over') };
    // Inside the transaction: if Temporal cannot take the timer, the event is not recorded and Stripe sends it again.
    await startGraceTimer(tid, until);
    return { changed: false };
  },

  async 'invoice.paid'(trx, tid) {
    await trx
      .updateTable('billing_accounts')
      .set({ payment_failed_at: null, grace_until: null, updated_at: sql<Date>`now()` })
      .where('tid', '=', tid)
      .execute();
    return { changed: await resumeFromBilling(trx, tid) };
  },

  async 'customer.subscription.deleted'(trx, tid, o) {
    if (!(await isCurrentSubscription(trx, tid, o))) return { changed: false };
    await recordSubscription(trx, tid, null, 'canceled');
    return { changed: await suspendForBilling(trx, tid, 'the subscription was cancelled') };
  },

  async 'customer.subscription.updated'(trx, tid, o) {
    if (!(await isCurrentSubscription(trx, tid, o))) return { changed: false };
    const sub = o as unknown as Stripe.Subscription;
    await recordSubscription(trx, tid, sub.id, sub.status);
    // Plan sync: the plan whose flat price the subscription now carries (a change made in Stripe's dashboard).
    const prices = (sub.items?.data ?? []).map((i) => i.price?.id).filter((p): p is string => typeof p === 'string');
    if (prices.length === 0) return { changed: false };
    const plans = await trx
      .selectFrom('plans')
      .select('id')
      .where(sql<string>`stripe->>'price_id'`, 'in', prices)
      .execute();
    if (plans.length !== 1) return { changed: false };
    const moved = await trx
      .updateTable('tenants')
      .set({ plan: plans[0]!.id, updated_at: sql<Date>`clock_timestamp()` })
      .where('tid', '=', tid)
      .where('plan', '!=', plans[0]!.id)
      .executeTakeFirst();
    return { changed: moved.numUpdatedRows > 0n };
  },
};

export const HANDLED_EVENT_TYPES = Object.keys(HANDLERS);

/**
 * Apply a verified Stripe event once: its id is stored in `stripe_events` in
 * the same transaction as its effect, so a replay (Stripe retries, or an
 * attacker resending a captured request) changes nothing, and an effect that
 * fails leaves the id unstored for Stripe's next attempt.
 */
export async function applyStripeEvent(deps: StripeEventDeps, event: Stripe.Event): Promise<StripeEventOutcome> {
  return deps.db.transaction().execute(async (trx) => {
    const fresh = await trx
      .insertInto('stripe_events')
      .values({ id: event.id, type: event.type, received_at: sql<Date>`now()` })
      .onConflict((c) => c.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!fresh) return { duplicate: true, tid: null, changed: false };
    const handler = Object.hasOwn(HANDLERS, event.type) ? HANDLERS[event.type] : undefined;
    if (!handler) return { duplicate: false, tid: null, changed: false };
    const tid = await tenantOfStripeObject(trx, event.data.object as StripeObject);
    if (!tid) return { duplicate: false, tid: null, changed: false };
    const { changed } = await handler(trx, tid, event.data.object as StripeObject, deps);
    return { duplicate: false, tid, changed };
  });
}
