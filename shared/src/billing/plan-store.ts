import type { Db } from '../db/database.ts';
import type { Plan } from './plan.ts';

/** Plans as both planes read them from the `plans` table. */
export async function listPlans(db: Db): Promise<Plan[]> {
  const rows = await db
    .selectFrom('plans')
    .select(['id', 'name', 'quotas', 'monthly_caps', 'stripe', 'audit_retention_days'])
    .orderBy('id')
    .execute();
  return rows.map(toPlan);
}

export async function findPlan(db: Db, id: string): Promise<Plan | undefined> {
  const row = await db
    .selectFrom('plans')
    .select(['id', 'name', 'quotas', 'monthly_caps', 'stripe', 'audit_retention_days'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? toPlan(row) : undefined;
}

const toPlan = (row: Plan): Plan => ({
  id: row.id,
  name: row.name,
  quotas: row.quotas,
  monthly_caps: row.monthly_caps ?? {},
  stripe: row.stripe ?? {},
  audit_retention_days: row.audit_retention_days,
});
