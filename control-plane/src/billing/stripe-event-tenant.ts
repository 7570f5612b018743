import type { Db } from '@tessera/shared/db/database';

/** The parts of a Stripe object (invoice, subscription, customer) that say whose it is. */
export interface StripeObject {
  id?: string;
  object?: string;
  customer?: string | { id?: string } | null;
  metadata?: Record<string, string> | null;
  /** Invoices: the subscription's metadata (older API versions at the top, newer under parent). */
  subscription_details?: { metadata?: Record<string, string> | null } | null;
  parent?: { subscription_details?: { metadata?: Record<string, string> | null } | null } | null;
}

const customerOf = (o: StripeObject): string | undefined => {
  if (o.object === 'customer') return o.id;
  return typeof o.customer === 'string' ? o.customer : (o.customer?.id ?? undefined);
};

/**
 * The tenant an event is about: `metadata.tid` (we set it on customers and
 * subscriptions; invoices carry the subscription's), checked against the
 * customer recorded for that tenant, or else the one tenant whose customer
 * it is. Undefined for a customer that is not one of ours (another
 * deployment sharing the Stripe account, or one made by hand).
 */
export async function tenantOfStripeObject(db: Db, o: StripeObject): Promise<string | undefined> {
  const customer = customerOf(o);
  const tid = o.metadata?.tid ?? o.parent?.subscription_details?.metadata?.tid ?? o.subscription_details?.metadata?.tid;
  if (tid) {
    const account = await db
      .selectFrom('billing_accounts')
      .select('stripe_customer_id')
      .where('tid', '=', tid)
      .executeTakeFirst();
    if (!account) return undefined;
    if (customer && account.stripe_customer_id && account.stripe_customer_id !== customer) return undefined;
    return tid;
  }
  if (!customer) return undefined;
  const rows = await db
    .selectFrom('billing_accounts')
    .select('tid')
    .where('stripe_customer_id', '=', customer)
    .limit(2)
    .execute();
  // One customer per tenant: two rows would be a mistake, and guessing would act on the wrong tenant.
  return rows.length === 1 ? rows[0]!.tid : undefined;
}
