import { openTestServices, uniqueTid } from '../../test/support/env.ts';
import { insertTenantRow } from '../../test/support/tenant-rows.ts';
import { ManualClock } from '../src/ports/clock.ts';
import { storePorts } from '../src/stores/store-ports.ts';
import { runStoreContracts } from './contracts/index.ts';

// The store contracts against the Redis and PostgreSQL implementations (the in-memory run is unit/store-contracts.unit.test.ts).
runStoreContracts('Redis and PostgreSQL ports', async () => {
  const s = openTestServices();
  // Starts at the wall clock: Redis keeps TTLs in its own time, which the contracts let pass by polling.
  const clock = new ManualClock();
  const tids: string[] = [];
  return {
    ports: storePorts({ db: s.db, redis: s.redis, masterKey: s.masterKey, keyStores: s.keyStores, clock }),
    clock,
    async tenant() {
      const tid = uniqueTid('contract');
      await insertTenantRow(s.db, tid, { config: false });
      tids.push(tid);
      return tid;
    },
    async close() {
      if (tids.length) await s.db.deleteFrom('tenants').where('tid', 'in', tids).execute();
      await s.close();
    },
  };
});
