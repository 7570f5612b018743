import { listPlans } from '@tessera/shared/billing/plan-store';
import type { Db } from '@tessera/shared/db/database';

/**
 * Whether a tenant may be put on `plan`: one of the rows of the `plans`
 * table (PUT /plans/rest/v1/{id}). The problem in words, or null.
 */
export async function planProblem(db: Db, plan: string): Promise<string | null> {
  const plans = await listPlans(db);
  return plans.some((p) => p.id === plan) ? null : `unknown plan; one of: ${plans.map((p) => `"${p.id}"`).join(', ')}`;
}
