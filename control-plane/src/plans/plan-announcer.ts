import type { Db } from '@tessera/shared/db/database';
import { tenantChangeChannel } from '@tessera/shared/tenancy/change-channel';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';

const BATCH = 500;

/**
 * After a plan changed: announce every tenant on it, as announceTenantChange
 * does one (updated_at bumped, so a node that misses the message catches up
 * at its resync; then an `upsert` message), so data-plane nodes re-read
 * Tenant.limits. In batches of 500: one UPDATE and one pipelined round of
 * messages each. Returns how many tenants were announced.
 */
export async function announcePlanTenants(db: Db, redis: Redis, prefix: string, planId: string): Promise<number> {
  let after = '';
  let announced = 0;
  for (;;) {
    const batch = await db
      .selectFrom('tenants')
      .select('tid')
      .where('plan', '=', planId)
      .where('tid', '>', after)
      .orderBy('tid')
      .limit(BATCH)
      .execute();
    if (batch.length === 0) return announced;
    const tids = batch.map((r) => r.tid);
    await db
      .updateTable('tenants')
      .set({ updated_at: sql<Date>`clock_timestamp()` })
      .where('tid', 'in', tids)
      .execute();
    const pipeline = redis.pipeline();
    for (const tid of tids) pipeline.publish(tenantChangeChannel(prefix), JSON.stringify({ tid, kind: 'upsert' }));
    await pipeline.exec();
    announced += tids.length;
    after = tids.at(-1)!;
    if (batch.length < BATCH) return announced;
  }
}
