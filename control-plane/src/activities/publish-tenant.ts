import { announceTenantChange } from '@tessera/shared/tenancy/change-channel';
import type { ActivityDeps } from './deps.ts';

export const publishTenantActivities = ({ db, redis, redisPrefix }: ActivityDeps) => ({
  /** Tell data-plane nodes the tenant changed (row touched too, so a node that misses the message resyncs it). */
  async publishTenant({ tid }: { tid: string }): Promise<void> {
    await announceTenantChange(db, redis, redisPrefix, tid);
  },
});
