import { cleanups, quickSteps, steps, tracked } from './activity-stubs.ts';
import { failureReason } from './failure-reason.ts';
import type { ProvisionTenantInput, ProvisionTenantResult } from './types.ts';

/**
 * validate → tenant row (provisioning) → HSM token → initial keys → billing
 * account → publish → smoke check through a data-plane node → active.
 * A step that fails for good is compensated: the HSM token is destroyed and
 * every row but the tenant's record (and its config) is removed; the tenant
 * ends `failed` with the reason. Compensation only touches a tenant this
 * workflow created (its first API token hash proves it), never one that
 * happened to hold the tid or issuer already. The short steps are local
 * activities (see activity-stubs.ts); the row, HSM and key steps go through
 * the task queue, with heartbeats, so a dead worker's step moves elsewhere.
 */
export async function provisionTenant(input: ProvisionTenantInput): Promise<ProvisionTenantResult> {
  const { tenant, apiTokenSha256, timings, actor } = input;
  const { tid } = tenant;
  const last = { step: '' };
  const step = tracked(steps(timings), last);
  const quick = tracked(quickSteps(timings), last);
  let billing = false;
  try {
    await quick.validateTenant({ tenant });
    await step.writeTenantRow({ tenant, apiTokenSha256, ...(actor ? { actor } : {}) });
    await step.createHsmToken({ tid, backend: tenant.config.keys.backend });
    await step.createInitialKeys({ tid });
    billing = true;
    await quick.createBillingAccount({ tid, plan: tenant.plan });
    await quick.publishTenant({ tid });
    await quick.smokeCheck({ tid, issuer: tenant.issuer });
    await quick.scheduleKeyRotation({ tid, timings });
    await quick.activateTenant({ tid });
    return { status: 'active' };
  } catch (err) {
    const { code, reason, step: failed } = failureReason(err, last.step);
    const undo = cleanups(timings);
    if (billing) await undo.deleteBillingAccount({ tid });
    if (billing) await undo.unscheduleKeyRotation({ tid });
    await undo.destroyHsmToken({ tid, ownerApiTokenSha256: apiTokenSha256 });
    await undo.releaseFailedTenant({ tid, ownerApiTokenSha256: apiTokenSha256, reason });
    return { status: 'failed', code, reason, step: failed };
  }
}
