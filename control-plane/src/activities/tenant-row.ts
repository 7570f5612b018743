import { ApplicationFailure } from '@temporalio/activity';
import { appendAudit } from '@tessera/shared/audit/audit-log';
import { HttpError } from '@tessera/shared/http/errors';
import { publishTenantChange } from '@tessera/shared/tenancy/change-channel';
import { sql } from 'kysely';
import { insertProvisioningTenant } from '../tenants/tenant-writer.ts';
import type { TenantSpec } from '../workflows/types.ts';
import type { ActivityDeps } from './deps.ts';
import { ownsTenant } from './ownership.ts';

/** Rows a provisioning creates besides the record and config a failed tenant keeps (the HSM PIN row goes with its token, first). */
const PROVISIONED_TABLES = [
  'tenant_keys',
  'tenant_secrets',
  'tenant_api_tokens',
  'issuer_aliases',
  'clients',
  'authorizations',
  'revocations',
] as const;

/** The tenant's own rows: create them, flip its status, remove them. */
export const tenantRowActivities = ({ db, keyStores, redis, redisPrefix }: ActivityDeps) => ({
  async writeTenantRow({
    tenant,
    apiTokenSha256,
    actor,
  }: {
    tenant: TenantSpec;
    apiTokenSha256: string;
    actor?: string;
  }): Promise<void> {
    try {
      await insertProvisioningTenant(db, tenant, apiTokenSha256, actor);
    } catch (err) {
      // Someone else holds the tid or an issuer: final, and nothing of ours to undo.
      if (err instanceof HttpError && err.statusCode === 409)
        throw ApplicationFailure.nonRetryable(err.message, err.code);
      throw err;
    }
  },

  async activateTenant({ tid }: { tid: string }): Promise<void> {
    const row = await db.selectFrom('tenants').select('status').where('tid', '=', tid).executeTakeFirst();
    if (row?.status === 'active') return;
    if (row?.status !== 'provisioning')
      throw ApplicationFailure.nonRetryable(
        `the tenant is ${row?.status ?? 'gone'}, not provisioning`,
        'tenant_changed',
      );
    await db
      .updateTable('tenants')
      .set({ status: 'active', status_reason: null, updated_at: sql<Date>`clock_timestamp()` })
      .where('tid', '=', tid)
      .where('status', '=', 'provisioning')
      .execute();
  },

  /**
   * Compensation: remove everything a failed provisioning created except the
   * tenant's record and config, and mark it `failed` with the reason. Only
   * for a tenant this workflow created; a second call finds it failed and stops.
   */
  async releaseFailedTenant({
    tid,
    ownerApiTokenSha256,
    reason,
  }: {
    tid: string;
    ownerApiTokenSha256: string;
    reason: string;
  }): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('tenants')
        .select('status')
        .where('tid', '=', tid)
        .forUpdate()
        .executeTakeFirst();
      if (!row || row.status === 'failed' || !(await ownsTenant(trx, tid, ownerApiTokenSha256))) return;
      for (const table of PROVISIONED_TABLES) await trx.deleteFrom(table).where('tid', '=', tid).execute();
      await trx
        .updateTable('tenants')
        .set({ status: 'failed', status_reason: reason.slice(0, 2000), updated_at: sql<Date>`clock_timestamp()` })
        .where('tid', '=', tid)
        .execute();
      await appendAudit(trx, [
        {
          tid,
          actor: 'system',
          action: 'tenant.provisioning_failed',
          target: `tenant:${tid}`,
          details: { reason: reason.slice(0, 500) },
        },
      ]);
    });
    keyStores.forgetTenant(tid);
  },

  /** First step of deprovisioning: data-plane nodes stop serving the tenant once they hear of it. */
  async markDeprovisioning({ tid }: { tid: string }): Promise<void> {
    await db
      .updateTable('tenants')
      .set({ status: 'deprovisioning', updated_at: sql<Date>`clock_timestamp()` })
      .where('tid', '=', tid)
      .execute();
  },

  /** Last step of deprovisioning: every remaining row goes with the tenant's (foreign keys cascade); nodes drop its issuer URLs. */
  async deleteTenant({ tid, actor = 'system' }: { tid: string; actor?: string }): Promise<void> {
    // The record outlives the tenant (no foreign key) for the retention period.
    await db.transaction().execute(async (trx) => {
      const gone = await trx.deleteFrom('tenants').where('tid', '=', tid).executeTakeFirst();
      if (gone.numDeletedRows > 0n)
        await appendAudit(trx, [{ tid, actor, action: 'tenant.deleted', target: `tenant:${tid}` }]);
    });
    keyStores.forgetTenant(tid);
    await publishTenantChange(redis, redisPrefix, { tid, kind: 'delete' });
  },
});
