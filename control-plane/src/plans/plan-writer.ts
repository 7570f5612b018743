import { appendAudit } from '@tessera/shared/audit/audit-log';
import type { Plan } from '@tessera/shared/billing/plan';
import type { Db } from '@tessera/shared/db/database';
import { errors } from '@tessera/shared/http/error-constructors';
import { sql } from 'kysely';

/**
 * Create or replace a plan (checked by plan-checks.ts); true when it is new.
 * Recorded in the audit log under no tenant (a plan is the operator's).
 */
export async function savePlan(db: Db, plan: Plan, actor = 'system'): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const inserted = await upsertPlan(trx, plan);
    await appendAudit(trx, [
      {
        tid: null,
        actor,
        action: inserted ? 'plan.created' : 'plan.changed',
        target: `plan:${plan.id}`,
        details: { name: plan.name, audit_retention_days: plan.audit_retention_days },
      },
    ]);
    return inserted;
  });
}

async function upsertPlan(db: Db, plan: Plan): Promise<boolean> {
  const row = await db
    .insertInto('plans')
    .values({
      id: plan.id,
      name: plan.name,
      quotas: JSON.stringify(plan.quotas),
      monthly_caps: JSON.stringify(plan.monthly_caps),
      stripe: JSON.stringify(plan.stripe),
      audit_retention_days: plan.audit_retention_days,
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        quotas: eb.ref('excluded.quotas'),
        monthly_caps: eb.ref('excluded.monthly_caps'),
        stripe: eb.ref('excluded.stripe'),
        audit_retention_days: eb.ref('excluded.audit_retention_days'),
        updated_at: sql<Date>`now()`,
      })),
    )
    // xmax = 0 only on a row this statement inserted.
    .returning(sql<boolean>`xmax = 0`.as('inserted'))
    .executeTakeFirstOrThrow();
  return row.inserted;
}

/**
 * Delete a plan no tenant is on: 409 `plan_in_use` otherwise (the foreign key
 * from tenants.plan refuses too, should a tenant join it meanwhile). False
 * when there is no such plan.
 */
export async function deletePlan(db: Db, id: string, actor = 'system'): Promise<boolean> {
  const inUse = () => errors.planInUse(`Tenants are on the plan "${id}"; move them to another plan first`);
  const on = await db
    .selectFrom('tenants')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('plan', '=', id)
    .executeTakeFirstOrThrow();
  if (Number(on.n) > 0) throw inUse();
  try {
    return await db.transaction().execute(async (trx) => {
      const gone = await trx.deleteFrom('plans').where('id', '=', id).executeTakeFirst();
      if (gone.numDeletedRows === 0n) return false;
      await appendAudit(trx, [{ tid: null, actor, action: 'plan.deleted', target: `plan:${id}` }]);
      return true;
    });
  } catch (err) {
    if ((err as { code?: string }).code === '23503') throw inUse();
    throw err;
  }
}
