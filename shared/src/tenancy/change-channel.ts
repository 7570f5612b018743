import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

/**
 * Tenant changes travel from the control plane to every data-plane node over
 * Redis pub/sub. A message only says which tenant changed; nodes re-read the
 * tenant from Postgres, so a lost or reordered message can never install
 * stale data, and a node that missed messages catches up with a resync.
 */
export interface TenantChange {
  tid: string;
  /** `client`: only the client `clientId` of the tenant changed. */
  kind: 'upsert' | 'delete' | 'client';
  clientId?: string;
  /** When it was published (epoch ms): how long it took to reach a node is measured (pub/sub lag). */
  at?: number;
}

export const tenantChangeChannel = (prefix: string) => `${prefix}tenant-changes`;

export async function publishTenantChange(redis: Redis, prefix: string, change: TenantChange): Promise<void> {
  await redis.publish(tenantChangeChannel(prefix), JSON.stringify({ ...change, at: Date.now() }));
}

export function parseTenantChange(message: string): TenantChange | null {
  try {
    const value = JSON.parse(message) as Partial<TenantChange>;
    const at = typeof value.at === 'number' ? { at: value.at } : {};
    if (typeof value.tid === 'string' && (value.kind === 'upsert' || value.kind === 'delete')) {
      return { tid: value.tid, kind: value.kind, ...at };
    }
    if (typeof value.tid === 'string' && value.kind === 'client' && typeof value.clientId === 'string') {
      return { tid: value.tid, kind: 'client', clientId: value.clientId, ...at };
    }
  } catch {
    // fall through: a malformed message is ignored
  }
  return null;
}

/**
 * Mark a tenant changed in Postgres (so a node that misses the message still
 * notices at its next resync) and tell every node now.
 */
export async function announceTenantChange(db: Db, redis: Redis, prefix: string, tid: string): Promise<void> {
  await db.updateTable('tenants').set({ updated_at: sql<Date>`clock_timestamp()` }).where('tid', '=', tid).execute();
  await publishTenantChange(redis, prefix, { tid, kind: 'upsert' });
}
