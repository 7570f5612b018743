/**
 * The plans a tenant can be on. Quotas and prices come with the billing
 * issue; until then a plan is only a name that must be known.
 */
export const PLANS = ['free', 'pro', 'enterprise'] as const;

export function planProblem(plan: string): string | null {
  return (PLANS as readonly string[]).includes(plan)
    ? null
    : `unknown plan; one of: ${PLANS.map((p) => `"${p}"`).join(', ')}`;
}
