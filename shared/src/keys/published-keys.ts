import type { SigningAlgorithm } from '../config/tenant-config.ts';
import type { Db } from '../db/database.ts';
import type { TenantKeyRow } from '../db/schema.ts';
import type { KeyInfo, PublicJwk } from './key-store.ts';

/** Public halves live in Postgres whichever backend holds the private ones. */
export function rowToKeyInfo(row: Pick<TenantKeyRow, 'kid' | 'alg' | 'use' | 'status' | 'public_jwk'>): KeyInfo {
  return {
    kid: row.kid,
    alg: row.alg as SigningAlgorithm,
    use: row.use,
    status: row.status,
    jwk: row.public_jwk as unknown as PublicJwk,
  };
}

/** The keys that belong in a tenant's published JWK set: pending, active and retired. */
export async function publishedKeys(db: Db, tid: string): Promise<KeyInfo[]> {
  const rows = await db
    .selectFrom('tenant_keys')
    .select(['kid', 'alg', 'use', 'status', 'public_jwk'])
    .where('tid', '=', tid)
    .where('status', 'in', ['pending', 'active', 'retired'])
    .orderBy('created_at')
    .orderBy('kid')
    .execute();
  return rows.map(rowToKeyInfo);
}
