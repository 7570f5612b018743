import { billingAccountActivities } from './billing-account.ts';
import { billingGraceActivities } from './billing-grace.ts';
import type { ActivityDeps } from './deps.ts';
import { hsmTokenActivities } from './hsm-token.ts';
import { instrument } from './instrument.ts';
import { issuerMigrationActivities } from './issuer-migration.ts';
import { keyRotationActivities } from './key-rotation.ts';
import { keyRotationScheduleActivities } from './key-rotation-schedule.ts';
import { publishTenantActivities } from './publish-tenant.ts';
import { smokeCheckActivities } from './smoke-check.ts';
import { tenantGrantActivities } from './tenant-grants.ts';
import { tenantKeyActivities } from './tenant-keys.ts';
import { tenantRowActivities } from './tenant-row.ts';
import type { TestFault } from './test-faults.ts';
import { validateTenantActivities } from './validate-tenant.ts';

/*
 * Every activity, one concern per file, each file a factory over the
 * worker's services. Adding some: a file here and a line below. Every
 * activity is idempotent: Temporal may run it again after a crash.
 */
const factories = (deps: ActivityDeps) => ({
  ...validateTenantActivities(deps),
  ...tenantRowActivities(deps),
  ...hsmTokenActivities(deps),
  ...tenantKeyActivities(deps),
  ...billingAccountActivities(deps),
  ...billingGraceActivities(deps),
  ...publishTenantActivities(deps),
  ...smokeCheckActivities(deps),
  ...tenantGrantActivities(deps),
  ...issuerMigrationActivities(deps),
  ...keyRotationActivities(deps),
  ...keyRotationScheduleActivities(deps),
});

export type Activities = ReturnType<typeof factories>;

export function createActivities(deps: ActivityDeps, faults: readonly TestFault[] = []): Activities {
  return instrument(factories(deps), faults);
}
