import { isMetric, METRICS } from '@tessera/shared/billing/metrics';
import {
  DEFAULT_AUDIT_RETENTION_DAYS,
  MAX_AUDIT_RETENTION_DAYS,
  type Plan,
  type PlanQuotas,
  QUOTAS,
} from '@tessera/shared/billing/plan';

/** A plan as PUT /plans/rest/v1/{id} sends it, before the checks. */
export interface PlanInput {
  name: string;
  quotas: Record<string, unknown>;
  monthly_caps?: Record<string, unknown>;
  stripe?: Record<string, unknown>;
  /** Days the audit log keeps a tenant's records; absent: DEFAULT_AUDIT_RETENTION_DAYS. */
  audit_retention_days?: unknown;
}

export interface PlanProblem {
  path: string;
  message: string;
}

/** One named check: the problems it finds (none: fine). Checks do not stop at the first problem. */
interface PlanCheck {
  name: string;
  run(plan: PlanInput): PlanProblem[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStringOrNull = (v: unknown) => v === null || (typeof v === 'string' && v.length > 0 && v.length <= 255);

/** Every quota named, none unknown: a missing quota would silently mean something. */
const quotasNamed: PlanCheck = {
  name: 'quotasNamed',
  run: ({ quotas }) => [
    ...QUOTAS.filter((q) => !Object.hasOwn(quotas, q)).map((q) => ({
      path: `$.quotas.${q}`,
      message: 'is missing (null: unlimited)',
    })),
    ...Object.keys(quotas)
      .filter((q) => !(QUOTAS as readonly string[]).includes(q))
      .map((q) => ({ path: `$.quotas.${q}`, message: `is not a quota; one of: ${QUOTAS.join(', ')}` })),
  ],
};

const quotaValues: PlanCheck = {
  name: 'quotaValues',
  run: ({ quotas }) =>
    QUOTAS.filter((q) => Object.hasOwn(quotas, q) && quotas[q] !== null && !isCount(quotas[q])).map((q) => ({
      path: `$.quotas.${q}`,
      message: 'must be a non-negative integer or null (unlimited)',
    })),
};

/** The bucket must hold at least one second's worth, or the sustained rate could never be reached. */
const burstCoversRate: PlanCheck = {
  name: 'burstCoversRate',
  run: ({ quotas }) => {
    const rate = quotas.token_requests_per_second;
    const burst = quotas.token_requests_burst;
    return isCount(rate) && isCount(burst) && burst < rate
      ? [{ path: '$.quotas.token_requests_burst', message: 'must be at least token_requests_per_second' }]
      : [];
  },
};

const capsOnKnownMetrics: PlanCheck = {
  name: 'capsOnKnownMetrics',
  run: ({ monthly_caps = {} }) =>
    Object.keys(monthly_caps)
      .filter((m) => !isMetric(m))
      .map((m) => ({ path: `$.monthly_caps.${m}`, message: `is not a metric; one of: ${METRICS.join(', ')}` })),
};

const capValues: PlanCheck = {
  name: 'capValues',
  run: ({ monthly_caps = {} }) =>
    Object.entries(monthly_caps).flatMap(([m, cap]) => {
      const path = `$.monthly_caps.${m}`;
      if (!isObject(cap)) return [{ path, message: 'must be {limit, kind}' }];
      return [
        ...(isCount(cap.limit) ? [] : [{ path: `${path}.limit`, message: 'must be a non-negative integer' }]),
        ...(cap.kind === 'soft' || cap.kind === 'hard'
          ? []
          : [{ path: `${path}.kind`, message: 'must be "soft" (billed as overage) or "hard" (refused)' }]),
        ...Object.keys(cap)
          .filter((k) => k !== 'limit' && k !== 'kind')
          .map((k) => ({ path: `${path}.${k}`, message: 'is not a member of a cap' })),
      ];
    }),
};

const stripePrices: PlanCheck = {
  name: 'stripePrices',
  run: ({ stripe = {} }) => {
    const problems: PlanProblem[] = [];
    for (const key of Object.keys(stripe))
      if (key !== 'price_id' && key !== 'meters')
        problems.push({ path: `$.stripe.${key}`, message: 'is not a member; price_id or meters' });
    if (stripe.price_id !== undefined && !isStringOrNull(stripe.price_id))
      problems.push({ path: '$.stripe.price_id', message: 'must be a Stripe price id or null' });
    if (stripe.meters === undefined) return problems;
    if (!isObject(stripe.meters)) return [...problems, { path: '$.stripe.meters', message: 'must be an object' }];
    for (const [m, meter] of Object.entries(stripe.meters)) {
      const path = `$.stripe.meters.${m}`;
      if (!isMetric(m)) problems.push({ path, message: `is not a metric; one of: ${METRICS.join(', ')}` });
      if (!isObject(meter)) {
        problems.push({ path, message: 'must be {event_name, price_id}' });
        continue;
      }
      if (typeof meter.event_name !== 'string' || meter.event_name.length === 0 || meter.event_name.length > 100)
        problems.push({ path: `${path}.event_name`, message: "must be the Billing Meter's event name" });
      if (meter.price_id !== undefined && !isStringOrNull(meter.price_id))
        problems.push({ path: `${path}.price_id`, message: 'must be a Stripe price id or null' });
      for (const key of Object.keys(meter))
        if (key !== 'event_name' && key !== 'price_id')
          problems.push({ path: `${path}.${key}`, message: 'is not a member; event_name or price_id' });
    }
    return problems;
  },
};

const auditRetention: PlanCheck = {
  name: 'auditRetention',
  run: ({ audit_retention_days: days }) =>
    days === undefined ||
    (Number.isSafeInteger(days) && (days as number) >= 1 && (days as number) <= MAX_AUDIT_RETENTION_DAYS)
      ? []
      : [
          {
            path: '$.audit_retention_days',
            message: `must be a whole number of days, 1 to ${MAX_AUDIT_RETENTION_DAYS}`,
          },
        ],
};

/** The checks a plan passes, in order; every problem is reported at once. */
export const PLAN_CHECKS: readonly PlanCheck[] = [
  quotasNamed,
  quotaValues,
  burstCoversRate,
  capsOnKnownMetrics,
  capValues,
  stripePrices,
  auditRetention,
];

export function checkPlan(
  id: string,
  input: PlanInput,
): { ok: true; plan: Plan } | { ok: false; errors: PlanProblem[] } {
  const errors = PLAN_CHECKS.flatMap((check) => check.run(input));
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    plan: {
      id,
      name: input.name,
      quotas: input.quotas as unknown as PlanQuotas,
      monthly_caps: (input.monthly_caps ?? {}) as Plan['monthly_caps'],
      stripe: (input.stripe ?? {}) as Plan['stripe'],
      audit_retention_days: (input.audit_retention_days as number | undefined) ?? DEFAULT_AUDIT_RETENTION_DAYS,
    },
  };
}
