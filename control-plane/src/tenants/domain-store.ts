import { randomBytes } from 'node:crypto';
import type { Db } from '@tessera/shared/db/database';
import { HttpError, notFound } from '@tessera/shared/http/errors';
import { challengePath, challengeTxtName } from './domain-challenge.ts';

/** How many custom hosts one tenant may hold (verified or not): a bound on rows a tenant admin can create. */
export const MAX_DOMAINS_PER_TENANT = 20;

export interface TenantDomain {
  host: string;
  status: 'pending' | 'verified';
  txt_name: string;
  txt_value: string;
  http_path: string;
  verified_at: string | null;
  verified_by: 'dns' | 'http' | null;
}

interface DomainRow {
  host: string;
  challenge_token: string;
  challenge_value: string;
  verified_at: Date | null;
  verified_by: 'dns' | 'http' | null;
}

const COLUMNS = ['host', 'challenge_token', 'challenge_value', 'verified_at', 'verified_by'] as const;

export const domainNotFound = (tid: string, host: string) =>
  notFound(`Tenant "${tid}" has no domain ${host}`, 'domain_not_found');

/** A domain and its challenge, as the API shows it. */
export function domainView(row: DomainRow): TenantDomain {
  return {
    host: row.host,
    status: row.verified_at ? 'verified' : 'pending',
    txt_name: challengeTxtName(row.host),
    txt_value: row.challenge_value,
    http_path: challengePath(row.challenge_token),
    verified_at: row.verified_at?.toISOString() ?? null,
    verified_by: row.verified_by,
  };
}

async function requireTenant(db: Db, tid: string): Promise<void> {
  const row = await db.selectFrom('tenants').select('tid').where('tid', '=', tid).executeTakeFirst();
  if (!row) throw notFound(`No tenant "${tid}"`, 'tenant_not_found');
}

export async function listDomains(db: Db, tid: string): Promise<DomainRow[]> {
  await requireTenant(db, tid);
  return db.selectFrom('tenant_domains').select(COLUMNS).where('tid', '=', tid).orderBy('host').execute();
}

export async function findDomain(db: Db, tid: string, host: string): Promise<DomainRow | undefined> {
  return db
    .selectFrom('tenant_domains')
    .select(COLUMNS)
    .where('tid', '=', tid)
    .where('host', '=', host)
    .executeTakeFirst();
}

/**
 * The tenant's challenge for `host`: a new one, or the one it already has
 * (asking again never invalidates a record already published).
 */
export async function requestDomain(db: Db, tid: string, host: string): Promise<{ row: DomainRow; created: boolean }> {
  await requireTenant(db, tid);
  const existing = await findDomain(db, tid, host);
  if (existing) return { row: existing, created: false };
  const { count } = await db
    .selectFrom('tenant_domains')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('tid', '=', tid)
    .executeTakeFirstOrThrow();
  if (Number(count) >= MAX_DOMAINS_PER_TENANT)
    throw new HttpError(
      409,
      'too_many_domains',
      `A tenant may hold at most ${MAX_DOMAINS_PER_TENANT} domains; delete one first`,
    );
  const inserted = await db
    .insertInto('tenant_domains')
    .values({
      tid,
      host,
      challenge_token: randomBytes(24).toString('base64url'),
      challenge_value: randomBytes(24).toString('base64url'),
      verified_at: null,
      verified_by: null,
    })
    .onConflict((oc) => oc.columns(['tid', 'host']).doNothing())
    .returning(COLUMNS)
    .executeTakeFirst();
  // A concurrent request inserted it first: answer with that one.
  return inserted ? { row: inserted, created: true } : { row: (await findDomain(db, tid, host))!, created: false };
}

export async function markDomainVerified(
  db: Db,
  tid: string,
  host: string,
  by: 'dns' | 'http',
): Promise<DomainRow | undefined> {
  return db
    .updateTable('tenant_domains')
    .set({ verified_at: new Date(), verified_by: by })
    .where('tid', '=', tid)
    .where('host', '=', host)
    .returning(COLUMNS)
    .executeTakeFirst();
}

/** Forget a domain; issuers already on it stay (remove them as aliases). False when there was none. */
export async function removeDomain(db: Db, tid: string, host: string): Promise<boolean> {
  const gone = await db.deleteFrom('tenant_domains').where('tid', '=', tid).where('host', '=', host).executeTakeFirst();
  return gone.numDeletedRows > 0n;
}

/** Whether tenant `tid` proved control of `host`. */
export async function isVerifiedDomain(db: Db, tid: string, host: string): Promise<boolean> {
  const row = await findDomain(db, tid, host);
  return row?.verified_at != null;
}
