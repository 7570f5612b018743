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

export const context = (tid: string, purpose: SecretPurpose) => `tessera:tenant-secret:${tid}:${purpose}`;

/** Create the tenant's secrets that do not exist yet (idempotent). */
export async function ensureTenantSecrets(db: Db, masterKey: MasterKey, tid: string): Promise<void> {
  await db
    .insertInto('tenant_secrets')
    .values(
      SECRET_PURPOSES.map((purpose) => ({
        tid,
        purpose,
        sealed: masterKey.seal(randomBytes(32), context(tid, purpose)),
      })),
    )
    .onConflict((oc) => oc.columns(['tid', 'purpose']).doNothing())
    .execute();
}

/** All of a tenant's secrets, opened (a tenant created before a purpose existed gets it on first load). */
export async function openTenantSecrets(
  db: Db,
  masterKey: MasterKey,
  tid: string,
): Promise<Record<SecretPurpose, Buffer>> {
  let rows = await db.selectFrom('tenant_secrets').select(['purpose', 'sealed']).where('tid', '=', tid).execute();
  if (rows.length < SECRET_PURPOSES.length) {
    const exists = await db.selectFrom('tenants').select('tid').where('tid', '=', tid).executeTakeFirst();
    if (exists) {
      await ensureTenantSecrets(db, masterKey, tid);
      rows = await db.selectFrom('tenant_secrets').select(['purpose', 'sealed']).where('tid', '=', tid).execute();
    }
  }
  const secrets = {} as Record<SecretPurpose, Buffer>;
  for (const row of rows)
    secrets[row.purpose as SecretPurpose] = masterKey.open(row.sealed, context(tid, row.purpose as SecretPurpose));
  return secrets;
}
