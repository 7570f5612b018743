import { ApplicationFailure } from '@temporalio/activity';
import { parseTenantConfig } from '@tessera/shared/config/validate-tenant-config';
import { keySpecsFor } from '@tessera/shared/keys/key-stores';
import { ensureTenantSecrets } from '@tessera/shared/keys/tenant-secrets';
import type { ActivityDeps } from './deps.ts';

export const tenantKeyActivities = ({ db, keyStores, masterKey }: ActivityDeps) => ({
  /**
   * One key per configured algorithm, and the tenant's symmetric secrets.
   * Create-if-absent: the tenant row is locked, algorithms that already have
   * a key are skipped, and the key rows commit together, so a retry after a
   * crash never leaves two keys for one algorithm.
   */
  async createInitialKeys({ tid }: { tid: string }): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom('tenants')
        .innerJoin('tenant_configs', (j) =>
          j
            .onRef('tenant_configs.tid', '=', 'tenants.tid')
            .onRef('tenant_configs.version', '=', 'tenants.config_version'),
        )
        .select(['tenant_configs.config'])
        .where('tenants.tid', '=', tid)
        .forUpdate()
        .executeTakeFirst();
      if (!current) throw ApplicationFailure.nonRetryable(`no tenant "${tid}"`, 'tenant_not_found');
      const config = parseTenantConfig(current.config);
      const held = await trx
        .selectFrom('tenant_keys')
        .select('alg')
        .where('tid', '=', tid)
        .where('revoked_at', 'is', null)
        .execute();
      const specs = keySpecsFor(config, { skip: (alg) => held.some((k) => k.alg === alg) });
      await keyStores.for(config.keys.backend).generate(tid, specs, { executor: trx });
      await ensureTenantSecrets(trx, masterKey, tid);
    });
  },
});
