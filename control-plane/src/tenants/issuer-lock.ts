import type { Db } from '@tessera/shared/db/database';
import { HttpError } from '@tessera/shared/http/errors';
import { sql } from 'kysely';
import { findConflict, issuerParts } from './issuer-conflicts.ts';

/**
 * Serialises every write that adds issuer URLs, so that no two issuers of
 * any tenants (primaries and aliases) are the same or nest (issuer-conflicts.ts):
 * the check and the insert run under this one lock, taken by the tenant
 * writer and the alias writer alike.
 */
export async function lockIssuers(trx: Db): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('tessera:issuers'))`.execute(trx);
}

export interface HeldIssuer {
  tid: string;
  issuer: string;
  as: 'PRIMARY' | 'ALIAS';
}

/** Who holds an issuer URL exactly: a tenant's primary, or one of its aliases. */
export async function issuerHolder(
  trx: Db,
  issuer: string,
): Promise<{ tid: string; as: 'PRIMARY' | 'ALIAS' } | undefined> {
  const primary = await trx.selectFrom('tenants').select('tid').where('issuer', '=', issuer).executeTakeFirst();
  if (primary) return { tid: primary.tid, as: 'PRIMARY' };
  const alias = await trx.selectFrom('issuer_aliases').select('tid').where('issuer', '=', issuer).executeTakeFirst();
  return alias ? { tid: alias.tid, as: 'ALIAS' } : undefined;
}

const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Every primary issuer and alias, of any tenant, on the origin of `issuer` (stored issuers are in normal form). */
async function issuersOnOrigin(trx: Db, issuer: string): Promise<HeldIssuer[]> {
  const { origin } = issuerParts(issuer);
  const below = `${likeLiteral(origin)}/%`;
  const [primaries, aliases] = await Promise.all([
    trx
      .selectFrom('tenants')
      .select(['tid', 'issuer'])
      .where((eb) => eb.or([eb('issuer', '=', origin), eb('issuer', 'like', below)]))
      .execute(),
    trx
      .selectFrom('issuer_aliases')
      .select(['tid', 'issuer'])
      .where((eb) => eb.or([eb('issuer', '=', origin), eb('issuer', 'like', below)]))
      .execute(),
  ]);
  return [
    ...primaries.map((r) => ({ ...r, as: 'PRIMARY' as const })),
    ...aliases.map((r) => ({ ...r, as: 'ALIAS' as const })),
  ];
}

/** The 409 for an issuer that is taken (`issuer_taken`) or nests with another (`issuer_conflict`), naming the other issuer. */
export function issuerRefusal(
  issuer: string,
  clash: HeldIssuer & { relation: 'same' | 'above' | 'below' },
  tid: string,
): HttpError {
  const whose = clash.tid === tid ? 'this tenant' : 'another tenant';
  if (clash.relation === 'same')
    return new HttpError(409, 'issuer_taken', `Issuer URL already in use: ${issuer} (an issuer of ${whose})`);
  const how = clash.relation === 'above' ? 'a path prefix of' : 'below';
  return new HttpError(
    409,
    'issuer_conflict',
    `Issuer URL ${issuer} conflicts with issuer ${clash.issuer} of ${whose}: it is ${how} it, and requests are routed by the longest issuer path prefix`,
  );
}

/**
 * 409 unless every one of `issuers` (new for tenant `tid`) is free: not the
 * same as, nor a path-segment prefix of, nor below any issuer held by any
 * tenant (this one included) or another of `issuers`. Call under
 * `lockIssuers` for the authoritative check; without it, for a quick answer.
 */
export async function requireIssuersFree(trx: Db, tid: string, issuers: readonly string[]): Promise<void> {
  for (const [i, issuer] of issuers.entries()) {
    const earlier = issuers.slice(0, i).map((other): HeldIssuer => ({ tid, issuer: other, as: 'ALIAS' }));
    const clash = findConflict(issuer, [...earlier, ...(await issuersOnOrigin(trx, issuer))]);
    if (clash) throw issuerRefusal(issuer, clash, tid);
  }
}
