import type { Db } from '@tessera/shared/db/database';
import { notFound } from '@tessera/shared/http/errors';

/** `404 tenant_not_found` unless a tenant `tid` exists (in any status), as every `:tid` route answers. */
export async function requireTenant(db: Db, tid: string): Promise<void> {
  const row = await db.selectFrom('tenants').select('tid').where('tid', '=', tid).executeTakeFirst();
  if (!row) throw notFound(`No tenant "${tid}"`, 'tenant_not_found');
}
