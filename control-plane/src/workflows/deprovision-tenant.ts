import { cleanups } from './activity-stubs.ts';
import type { DeprovisionTenantInput } from './types.ts';

/**
 * suspend (nodes stop serving) → revoke tokens and sessions → destroy the HSM
 * token → delete the data. Every step is idempotent and retried until done:
 * a deprovisioning, once started, is finished rather than undone.
 */
export async function deprovisionTenant(input: DeprovisionTenantInput): Promise<void> {
  const { tid, timings, actor } = input;
  const step = cleanups(timings);
  await step.markDeprovisioning({ tid });
  await step.unscheduleKeyRotation({ tid });
  await step.publishTenant({ tid });
  await step.revokeTenantGrants({ tid });
  await step.destroyHsmToken({ tid });
  await step.deleteBillingAccount({ tid });
  await step.deleteTenant({ tid, ...(actor ? { actor } : {}) });
}
