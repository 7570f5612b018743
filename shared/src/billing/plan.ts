import type { Metric } from './metrics.ts';

/**
 * A plan (docs/billing.md): quotas every tenant on it is held to, monthly
 * caps per metered metric, and what Stripe bills. Plans are rows of the
 * `plans` table (seeded by migration 0005), changed by the operator only.
 * `null` means unlimited.
 */
export interface PlanQuotas {
  /** Registered clients (dynamic registration and the client API alike). */
  clients: number | null;
  /** Users in the built-in directory. */
  users: number | null;
  /** Distinct subjects issued tokens or signed in per calendar month (UTC). */
  monthly_active_subjects: number | null;
  /** Token-endpoint requests per second, sustained, shared by every node. */
  token_requests_per_second: number | null;
  /** … and the most in one burst (the bucket's size). */
  token_requests_burst: number | null;
  issuer_aliases: number | null;
  /** Integration API tokens of the tenant. */
  api_tokens: number | null;
}

export const QUOTAS = [
  'clients',
  'users',
  'monthly_active_subjects',
  'token_requests_per_second',
  'token_requests_burst',
  'issuer_aliases',
  'api_tokens',
] as const satisfies readonly (keyof PlanQuotas)[];
export type Quota = (typeof QUOTAS)[number];

/** soft: counted beyond the limit and billed as overage; hard: refused beyond it. */
export interface MonthlyCap {
  limit: number;
  kind: 'soft' | 'hard';
}
export type MonthlyCaps = Partial<Record<Metric, MonthlyCap>>;

/** What Stripe bills: the subscription's flat price and, per metric, a metered price and the Billing Meter's event name. */
export interface PlanStripe {
  price_id?: string | null;
  meters?: Partial<Record<Metric, { event_name: string; price_id?: string | null }>>;
}

export interface Plan {
  id: string;
  name: string;
  quotas: PlanQuotas;
  monthly_caps: MonthlyCaps;
  stripe: PlanStripe;
  /** How long the audit log keeps the records of a tenant on this plan (docs/audit.md). */
  audit_retention_days: number;
}

/** A plan that does not say how long its audit records are kept (the column's default too: migration 0009). */
export const DEFAULT_AUDIT_RETENTION_DAYS = 30;
/** The longest a plan may keep audit records: ten years. */
export const MAX_AUDIT_RETENTION_DAYS = 3650;

/** No quota and no cap: what tests and a self-hosted node without plans run with. */
export const UNLIMITED: Pick<Plan, 'quotas' | 'monthly_caps'> = Object.freeze({
  quotas: Object.freeze({
    clients: null,
    users: null,
    monthly_active_subjects: null,
    token_requests_per_second: null,
    token_requests_burst: null,
    issuer_aliases: null,
    api_tokens: null,
  }),
  monthly_caps: Object.freeze({}),
});
