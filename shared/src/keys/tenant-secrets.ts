import { randomBytes } from 'node:crypto';
import type { MasterKey } from '../crypto/master-key.ts';
import type { Db } from '../db/database.ts';

/**
 * Per-tenant symmetric keys that never sign: the HMAC key that tags
 * identifiers, the AES keys for self-contained refresh tokens, pairwise
 * subjects and encrypted access tokens. 256 bits each, sealed under the
 * master key and bound to tenant and purpose.
 */
export const SECRET_PURPOSES = ['identifier-hmac', 'refresh-token-enc', 'subject-enc', 'access-token-enc'] as const;
export type SecretPurpose = (typeof SECRET_PURPOSES)[number];

const context = (tid: string, purpose: SecretPurpose) => `tessera:tenant-secret:${tid}:${purpose}`;

/** Create the tenant's secrets that do not exist yet (idempotent). */
export async function ensureTenantSecrets(db: Db, masterKey: MasterKey, tid: string): Promise<void> {
  await db
    .insertInto('tenant_secrets')
    .values(SECRET_PURPOSES.map((purpose) => ({ tid, purpose, sealed: masterKey.seal(randomBytes(32), context(tid, purpose)) })))
    .onConflict((oc) => oc.columns(['tid', 'purpose']).doNothing())
    .execute();
}

export async function loadTenantSecret(db: Db, masterKey: MasterKey, tid: string, purpose: SecretPurpose): Promise<Buffer> {
  const row = await db.selectFrom('tenant_secrets').select('sealed').where('tid', '=', tid).where('purpose', '=', purpose).executeTakeFirst();
  if (!row) throw new Error(`tenant ${tid} has no ${purpose} secret`);
  return masterKey.open(row.sealed, context(tid, purpose));
}
