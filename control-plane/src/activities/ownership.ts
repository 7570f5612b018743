import type { Db } from '@tessera/shared/db/database';

/**
 * Whether the tenant `tid` is the one a provisioning workflow created: its
 * first API token has the hash the workflow was given. Compensation checks it
 * so a failed creation never undoes a tenant that already held the tid.
 */
export async function ownsTenant(db: Db, tid: string, apiTokenSha256: string): Promise<boolean> {
  const row = await db
    .selectFrom('tenant_api_tokens')
    .select('id')
    .where('tid', '=', tid)
    .where('label', '=', 'initial')
    .where('token_sha256', '=', apiTokenSha256)
    .executeTakeFirst();
  return row !== undefined;
}
