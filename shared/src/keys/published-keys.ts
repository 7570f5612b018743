import type { Db } from '../db/database.ts';
import type { TenantKeyRow } from '../db/schema.ts';
import { keyStatus } from './key-lifecycle.ts';
import type { KeyAlgorithm, KeyInfo, PublicJwk } from './key-store.ts';

type KeyRow = Pick<
  TenantKeyRow,
  'kid' | 'alg' | 'use' | 'backend' | 'public_jwk' | 'created_at' | 'activated_at' | 'retired_at' | 'revoked_at'
>;
const COLUMNS = [
  'kid',
  'alg',
  'use',
  'backend',
  'public_jwk',
  'created_at',
  'activated_at',
  'retired_at',
  'revoked_at',
] as const;

/** Public halves live in Postgres whichever backend holds the private ones. */
export function rowToKeyInfo(row: KeyRow, now: Date = new Date()): KeyInfo {
  const info = {
    kid: row.kid,
    alg: row.alg as KeyAlgorithm,
    use: row.use,
    backend: row.backend,
    jwk: row.public_jwk as unknown as PublicJwk,
    createdAt: row.created_at,
    activatedAt: row.activated_at,
    retiredAt: row.retired_at,
    revokedAt: row.revoked_at,
  };
  return { ...info, status: keyStatus(info, now) };
}

/** The keys that belong in a tenant's published JWK set: every key not revoked. */
export async function publishedKeys(db: Db, tid: string): Promise<KeyInfo[]> {
  const rows = await db
    .selectFrom('tenant_keys')
    .select(COLUMNS)
    .where('tid', '=', tid)
    .where('revoked_at', 'is', null)
    .orderBy('activated_at')
    .orderBy('kid')
    .execute();
  return rows.map((r) => rowToKeyInfo(r));
}

/** Every key the tenant ever had, revoked ones included, oldest first. */
export async function keyHistory(db: Db, tid: string): Promise<KeyInfo[]> {
  const rows = await db
    .selectFrom('tenant_keys')
    .select(COLUMNS)
    .where('tid', '=', tid)
    .orderBy('created_at')
    .orderBy('kid')
    .execute();
  return rows.map((r) => rowToKeyInfo(r));
}
