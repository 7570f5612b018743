import { sql } from 'kysely';
import type { Db } from '@tessera/shared/db/database';

/**
 * Serialises every write that adds issuer URLs, so an issuer stays unique
 * across primaries and aliases of all tenants (the same lock key as the
 * tenant writer's: both must queue behind each other).
 */
export async function lockIssuers(trx: Db): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('tessera:issuers'))`.execute(trx);
}

/** Who holds an issuer URL: a tenant's primary, or one of its aliases. */
export async function issuerHolder(trx: Db, issuer: string): Promise<{ tid: string; as: 'PRIMARY' | 'ALIAS' } | undefined> {
  const primary = await trx.selectFrom('tenants').select('tid').where('issuer', '=', issuer).executeTakeFirst();
  if (primary) return { tid: primary.tid, as: 'PRIMARY' };
  const alias = await trx.selectFrom('issuer_aliases').select('tid').where('issuer', '=', issuer).executeTakeFirst();
  return alias ? { tid: alias.tid, as: 'ALIAS' } : undefined;
}
