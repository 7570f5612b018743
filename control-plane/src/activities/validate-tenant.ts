import { ApplicationFailure } from '@temporalio/activity';
import { planProblem } from '../tenants/plans.ts';
import { checkCreateTenant } from '../tenants/tenant-input.ts';
import type { TenantSpec } from '../workflows/types.ts';
import type { ActivityDeps } from './deps.ts';

/**
 * Check the tenant again with this worker's validator (the API checked it
 * too, but a worker may run a newer version): invalid is final, not retried.
 */
export const validateTenantActivities = (deps: ActivityDeps) => ({
  async validateTenant({ tenant }: { tenant: TenantSpec }): Promise<void> {
    const checked = checkCreateTenant(tenant, deps.keyStores.defaultBackend, {
      pluginModules: deps.pluginModules === true,
    });
    const problems = checked.ok ? [] : checked.errors.map((e) => `${e.path} ${e.message}`);
    const plan = await planProblem(deps.db, tenant.plan);
    if (plan) problems.push(`$.plan ${plan}`);
    if (problems.length > 0)
      throw ApplicationFailure.nonRetryable(`invalid tenant: ${problems.join('; ')}`, 'invalid_request');
  },
});
