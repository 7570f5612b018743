import type { PlanStripe } from '@tessera/shared/billing/plan';
import type { PlanPrices } from './billing-account-port.ts';

/** A plan's Stripe prices: its flat price and the metered price of each billed metric that has one. */
export function planPrices(stripe: PlanStripe): PlanPrices {
  const metered = Object.values(stripe.meters ?? {})
    .map((m) => m?.price_id)
    .filter((p): p is string => typeof p === 'string' && p.length > 0);
  return { flat: stripe.price_id || null, metered: [...new Set(metered)] };
}

/** Every price of the plan; empty: the plan bills nothing and a tenant on it has no subscription. */
export const allPrices = (p: PlanPrices): string[] => [...(p.flat ? [p.flat] : []), ...p.metered];
