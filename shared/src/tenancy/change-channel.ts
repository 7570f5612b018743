import type { Redis } from 'ioredis';

/**
 * Tenant changes travel from the control plane to every data-plane node over
 * Redis pub/sub. A message only says which tenant changed; nodes re-read the
 * tenant from Postgres, so a lost or reordered message can never install
 * stale data, and a node that missed messages catches up with a resync.
 */
export interface TenantChange {
  tid: string;
  kind: 'upsert' | 'delete';
}

export const tenantChangeChannel = (prefix: string) => `${prefix}tenant-changes`;

export async function publishTenantChange(redis: Redis, prefix: string, change: TenantChange): Promise<void> {
  await redis.publish(tenantChangeChannel(prefix), JSON.stringify(change));
}

export function parseTenantChange(message: string): TenantChange | null {
  try {
    const value = JSON.parse(message) as Partial<TenantChange>;
    if (typeof value.tid === 'string' && (value.kind === 'upsert' || value.kind === 'delete')) {
      return { tid: value.tid, kind: value.kind };
    }
  } catch {
    // fall through: a malformed message is ignored
  }
  return null;
}
