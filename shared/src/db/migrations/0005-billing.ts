import { type Kysely, sql } from 'kysely';

/**
 * Billing and quotas (docs/billing.md): plans as data, each tenant's Stripe
 * customer and subscription, usage per tenant, day and dimension, what was
 * reported to Stripe, and the Stripe webhook events already handled.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('plans')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    // PlanQuotas (shared/src/billing/plan.ts): null = unlimited.
    .addColumn('quotas', 'jsonb', (c) => c.notNull())
    // Monthly caps per metered metric: {limit, kind: soft | hard}.
    .addColumn('monthly_caps', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // Stripe: the subscription's flat price and the Billing Meter event name per metric (null: nothing billed).
    .addColumn('stripe', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  const unlimited = null;
  const seed = [
    {
      id: 'free',
      name: 'Free',
      quotas: {
        clients: 10,
        users: 1000,
        monthly_active_subjects: 1000,
        token_requests_per_second: 20,
        token_requests_burst: 40,
        issuer_aliases: 1,
        api_tokens: 3,
      },
      monthly_caps: {
        tokens: { limit: 100_000, kind: 'hard' },
        authorizations: { limit: 20_000, kind: 'hard' },
        sign_ins: { limit: 20_000, kind: 'hard' },
        introspections: { limit: 100_000, kind: 'hard' },
        monthly_active_subjects: { limit: 1000, kind: 'hard' },
      },
      stripe: {},
    },
    {
      id: 'developer',
      name: 'Developer',
      quotas: {
        clients: 50,
        users: 10_000,
        monthly_active_subjects: 10_000,
        token_requests_per_second: 100,
        token_requests_burst: 200,
        issuer_aliases: 3,
        api_tokens: 10,
      },
      monthly_caps: {
        tokens: { limit: 1_000_000, kind: 'soft' },
        monthly_active_subjects: { limit: 10_000, kind: 'soft' },
      },
      stripe: {},
    },
    {
      id: 'business',
      name: 'Business',
      quotas: {
        clients: 500,
        users: 250_000,
        monthly_active_subjects: 250_000,
        token_requests_per_second: 1000,
        token_requests_burst: 2000,
        issuer_aliases: 10,
        api_tokens: 50,
      },
      monthly_caps: {
        tokens: { limit: 20_000_000, kind: 'soft' },
        monthly_active_subjects: { limit: 250_000, kind: 'soft' },
      },
      stripe: {},
    },
    {
      id: 'enterprise',
      name: 'Enterprise',
      quotas: {
        clients: unlimited,
        users: unlimited,
        monthly_active_subjects: unlimited,
        token_requests_per_second: 5000,
        token_requests_burst: 10_000,
        issuer_aliases: 50,
        api_tokens: 200,
      },
      monthly_caps: {},
      stripe: {},
    },
  ];
  for (const plan of seed) {
    await sql`insert into plans (id, name, quotas, monthly_caps, stripe)
      values (${plan.id}, ${plan.name}, ${JSON.stringify(plan.quotas)}::jsonb, ${JSON.stringify(plan.monthly_caps)}::jsonb, ${JSON.stringify(plan.stripe)}::jsonb)`.execute(
      db,
    );
  }
  // Earlier plan names: "pro" became "business".
  await sql`update tenants set plan = 'business' where plan = 'pro'`.execute(db);
  await sql`update tenants set plan = 'free' where plan not in (select id from plans)`.execute(db);
  await sql`alter table tenants add constraint tenants_plan_fk foreign key (plan) references plans (id) on update cascade`.execute(
    db,
  );

  await db.schema
    .createTable('billing_accounts')
    .addColumn('tid', 'varchar(63)', (c) => c.primaryKey().references('tenants.tid').onDelete('cascade'))
    .addColumn('stripe_customer_id', 'varchar(255)')
    .addColumn('stripe_subscription_id', 'varchar(255)')
    // Stripe's word for the subscription (active, past_due, canceled, …) as last seen.
    .addColumn('subscription_status', 'varchar(40)')
    // invoice.payment_failed: when the grace period ends (then the tenant is suspended); null when paid up.
    .addColumn('payment_failed_at', 'timestamptz')
    .addColumn('grace_until', 'timestamptz')
    // Whether billing suspended the tenant (so invoice.paid resumes only what billing suspended).
    .addColumn('suspended_by_billing', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('usage')
    .addColumn('tid', 'varchar(63)', (c) => c.notNull().references('tenants.tid').onDelete('cascade'))
    .addColumn('day', 'date', (c) => c.notNull())
    // A metric (shared/src/billing/metrics.ts), with the grant type for tokens: "tokens:client_credentials".
    .addColumn('dimension', 'varchar(100)', (c) => c.notNull())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('usage_pk', ['tid', 'day', 'dimension'])
    .execute();

  await db.schema
    .createTable('usage_reports')
    .addColumn('tid', 'varchar(63)', (c) => c.notNull().references('tenants.tid').onDelete('cascade'))
    .addColumn('metric', 'varchar(60)', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    // What Stripe was told for (tid, metric, day) in all, and the key of the last report.
    .addColumn('quantity', 'bigint', (c) => c.notNull())
    .addColumn('idempotency_key', 'varchar(255)', (c) => c.notNull())
    .addColumn('reported_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('usage_reports_pk', ['tid', 'metric', 'day'])
    .execute();

  await db.schema
    .createTable('stripe_events')
    .addColumn('id', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('type', 'varchar(100)', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}
