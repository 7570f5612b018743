import { sql } from 'kysely';
import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import type { Db } from '@tessera/shared/db/database';
import { mintApiToken, sha256Hex } from '@tessera/shared/http/api-token';
import { HttpError } from '@tessera/shared/http/errors';
import type { KeyStore } from '@tessera/shared/keys/key-store';
import type { CheckedTenantInput } from './tenant-input.ts';

/** Serialises every write that adds issuer URLs, so an issuer is unique across tenants and aliases. */
async function lockIssuers(trx: Db): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('tessera:issuers'))`.execute(trx);
}

async function issuersTaken(trx: Db, issuers: string[]): Promise<string[]> {
  if (issuers.length === 0) return [];
  const [a, b] = await Promise.all([
    trx.selectFrom('tenants').select('issuer').where('issuer', 'in', issuers).execute(),
    trx.selectFrom('issuer_aliases').select('issuer').where('issuer', 'in', issuers).execute(),
  ]);
  return [...a, ...b].map((r) => r.issuer);
}

/** Mint an integration API token for a tenant; only its SHA-256 is stored. */
export async function issueApiToken(db: Db, tid: string, label: string): Promise<{ id: string; token: string }> {
  const token = mintApiToken();
  const row = await db
    .insertInto('tenant_api_tokens')
    .values({ tid, label, token_sha256: sha256Hex(token), revoked_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, token };
}

/**
 * Create a tenant with its first config version, aliases, signing keys and
 * first API token in one transaction: either all of it exists afterwards or
 * none of it does. (The provisioning workflow takes this over later.)
 */
export async function createTenant(db: Db, keyStore: KeyStore, input: CheckedTenantInput): Promise<{ apiToken: string }> {
  return db.transaction().execute(async (trx) => {
    await lockIssuers(trx);
    const existing = await trx.selectFrom('tenants').select('tid').where('tid', '=', input.tid).executeTakeFirst();
    if (existing) throw new HttpError(409, 'tenant_exists', `A tenant with tid "${input.tid}" already exists`);
    const taken = await issuersTaken(trx, [input.issuer, ...input.aliases.map((a) => a.issuer)]);
    if (taken.length > 0) throw new HttpError(409, 'issuer_taken', `Issuer URL already in use: ${taken.join(', ')}`);
    await trx
      .insertInto('tenants')
      .values({
        tid: input.tid,
        name: input.name,
        issuer: input.issuer,
        status: 'active',
        plan: input.plan,
        attrs: JSON.stringify(input.attrs),
        config_version: 1,
        status_reason: null,
      })
      .execute();
    await trx.insertInto('tenant_configs').values({ tid: input.tid, version: 1, config: JSON.stringify(input.config) }).execute();
    if (input.aliases.length > 0) {
      await trx.insertInto('issuer_aliases').values(input.aliases.map((a) => ({ tid: input.tid, issuer: a.issuer, mode: a.mode }))).execute();
    }
    await keyStore.generate(input.tid, input.config.keys.signingAlgorithms, {
      rsaKeySize: input.config.keys.rsaKeySize,
      status: 'active',
      executor: trx,
    });
    const { token } = await issueApiToken(trx, input.tid, 'initial');
    return { apiToken: token };
  });
}

export interface TenantPatch {
  name?: string;
  plan?: string;
  attrs?: Record<string, unknown>;
  config?: TenantConfig;
}

/**
 * Apply a patch; a config change becomes a new config version, and an
 * algorithm newly enabled in it gets its key in the same transaction.
 * Returns false when there is no such tenant.
 */
export async function updateTenant(db: Db, keyStore: KeyStore, tid: string, patch: TenantPatch): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('tenants').select(['config_version']).where('tid', '=', tid).forUpdate().executeTakeFirst();
    if (!current) return false;
    let version = current.config_version;
    if (patch.config !== undefined) {
      version += 1;
      await trx.insertInto('tenant_configs').values({ tid, version, config: JSON.stringify(patch.config) }).execute();
      const held = await trx.selectFrom('tenant_keys').select('alg').where('tid', '=', tid).where('status', 'in', ['pending', 'active']).execute();
      const missing = patch.config.keys.signingAlgorithms.filter((alg) => !held.some((k) => k.alg === alg));
      await keyStore.generate(tid, missing, { rsaKeySize: patch.config.keys.rsaKeySize, status: 'active', executor: trx });
    }
    await trx
      .updateTable('tenants')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.plan !== undefined ? { plan: patch.plan } : {}),
        ...(patch.attrs !== undefined ? { attrs: JSON.stringify(patch.attrs) } : {}),
        config_version: version,
        // clock_timestamp(), not now(): two changes in one transaction-time must still differ.
        updated_at: sql<Date>`clock_timestamp()`,
      })
      .where('tid', '=', tid)
      .execute();
    return true;
  });
}
