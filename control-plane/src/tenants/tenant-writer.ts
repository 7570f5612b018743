import { type AuditRecord, appendAudit } from '@tessera/shared/audit/audit-log';
import { holdCountQuota, planQuotaOf } from '@tessera/shared/billing/count-quota';
import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import type { MasterKey } from '@tessera/shared/crypto/master-key';
import type { Db } from '@tessera/shared/db/database';
import { mintApiToken, sha256Hex } from '@tessera/shared/http/api-token';
import { HttpError } from '@tessera/shared/http/errors';
import { type KeyStores, keySpecsFor } from '@tessera/shared/keys/key-stores';
import { ensureTenantSecrets } from '@tessera/shared/keys/tenant-secrets';
import { sql } from 'kysely';
import { lockIssuers, requireIssuersFree } from './issuer-lock.ts';
import type { CheckedTenantInput } from './tenant-input.ts';

/**
 * Mint an integration API token for a tenant; only its SHA-256 is stored.
 * `403 quota_exceeded` when the tenant has as many unrevoked tokens as its
 * plan allows (counted and inserted in one transaction holding its row).
 */
export async function issueApiToken(
  db: Db,
  tid: string,
  label: string,
  actor = 'system',
): Promise<{ id: string; token: string }> {
  const token = mintApiToken();
  const row = await db.transaction().execute(async (trx) => {
    await holdCountQuota(trx, tid, 'api_tokens', await planQuotaOf(trx, tid, 'api_tokens'));
    const inserted = await trx
      .insertInto('tenant_api_tokens')
      .values({ tid, label, token_sha256: sha256Hex(token), revoked_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(trx, [
      { tid, actor, action: 'api_token.created', target: `api_token:${inserted.id}`, details: { label } },
    ]);
    return inserted;
  });
  return { id: row.id, token };
}

/**
 * Write a new tenant's rows in one transaction: the tenant (status
 * `provisioning`), config v1, aliases and its first API token (only the hash
 * is given). Keys come later, from their own step. Safe to repeat: a tenant
 * that already carries this token hash is this call's own earlier attempt.
 * Throws `HttpError` 409 `tenant_exists` / `issuer_taken` / `issuer_conflict`.
 */
export async function insertProvisioningTenant(
  db: Db,
  input: CheckedTenantInput,
  apiTokenSha256: string,
  actor = 'system',
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockIssuers(trx);
    if (await trxExists(trx, input.tid)) {
      const own = await trx
        .selectFrom('tenant_api_tokens')
        .select('id')
        .where('tid', '=', input.tid)
        .where('label', '=', 'initial')
        .where('token_sha256', '=', apiTokenSha256)
        .executeTakeFirst();
      if (own) return;
      throw new HttpError(409, 'tenant_exists', `A tenant with tid "${input.tid}" already exists`);
    }
    await requireIssuersFree(trx, input.tid, [input.issuer, ...input.aliases.map((a) => a.issuer)]);
    await trx
      .insertInto('tenants')
      .values({
        tid: input.tid,
        name: input.name,
        issuer: input.issuer,
        status: 'provisioning',
        plan: input.plan,
        attrs: JSON.stringify(input.attrs),
        config_version: 1,
        status_reason: null,
      })
      .execute();
    await trx
      .insertInto('tenant_configs')
      .values({ tid: input.tid, version: 1, config: JSON.stringify(input.config) })
      .execute();
    if (input.aliases.length > 0) {
      await trx
        .insertInto('issuer_aliases')
        .values(input.aliases.map((a) => ({ tid: input.tid, issuer: a.issuer, mode: a.mode })))
        .execute();
    }
    await trx
      .insertInto('tenant_api_tokens')
      .values({ tid: input.tid, label: 'initial', token_sha256: apiTokenSha256, revoked_at: null })
      .execute();
    await appendAudit(trx, [
      {
        tid: input.tid,
        actor,
        action: 'tenant.created',
        target: `tenant:${input.tid}`,
        details: {
          name: input.name,
          issuer: input.issuer,
          plan: input.plan,
          config_version: 1,
          aliases: input.aliases.map((a) => a.issuer),
        },
      },
    ]);
  });
}

/**
 * Create a tenant in one go, without Temporal — for benchmarks and scripts
 * that need many tenants quickly. The API creates tenants through the
 * provisionTenant workflow instead. The HSM token and rows are undone if
 * the tenant does not come to exist.
 */
export async function createTenant(
  db: Db,
  keyStores: KeyStores,
  masterKey: MasterKey,
  input: CheckedTenantInput,
): Promise<{ apiToken: string }> {
  const apiToken = mintApiToken();
  if (await trxExists(db, input.tid))
    throw new HttpError(409, 'tenant_exists', `A tenant with tid "${input.tid}" already exists`);
  await insertProvisioningTenant(db, input, sha256Hex(apiToken));
  const store = keyStores.for(input.config.keys.backend);
  try {
    await store.ensureTenant(input.tid);
    await db.transaction().execute(async (trx) => {
      await store.generate(input.tid, keySpecsFor(input.config), { executor: trx });
      await ensureTenantSecrets(trx, masterKey, input.tid);
      await trx.updateTable('tenants').set({ status: 'active' }).where('tid', '=', input.tid).execute();
    });
  } catch (err) {
    await store.destroyTenant(input.tid).catch(() => undefined);
    await db.deleteFrom('tenants').where('tid', '=', input.tid).execute();
    throw err;
  }
  return { apiToken };
}

/** Whether a tenant row with this tid exists. */
export async function tenantExists(db: Db, tid: string): Promise<boolean> {
  return trxExists(db, tid);
}

async function trxExists(db: Db, tid: string): Promise<boolean> {
  return (await db.selectFrom('tenants').select('tid').where('tid', '=', tid).executeTakeFirst()) !== undefined;
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
export async function updateTenant(
  db: Db,
  keyStores: KeyStores,
  tid: string,
  patch: TenantPatch,
  actor = 'system',
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('tenants')
      .innerJoin('tenant_configs', (j) =>
        j
          .onRef('tenant_configs.tid', '=', 'tenants.tid')
          .onRef('tenant_configs.version', '=', 'tenants.config_version'),
      )
      .select(['tenants.config_version', 'tenant_configs.config', 'tenants.name', 'tenants.plan'])
      .where('tenants.tid', '=', tid)
      .forUpdate()
      .executeTakeFirst();
    if (!current) return false;
    const backend = (current.config as { keys?: { backend?: string } }).keys?.backend ?? 'software';
    if (patch.config !== undefined && patch.config.keys.backend !== backend) {
      throw new HttpError(
        400,
        'invalid_configuration',
        `keys.backend cannot change (${backend} → ${patch.config.keys.backend}); rotate into a new tenant instead`,
        {
          extra: { errors: [{ path: '$.config.keys.backend', message: `must stay "${backend}"` }] },
        },
      );
    }
    let version = current.config_version;
    if (patch.config !== undefined) {
      version += 1;
      await trx
        .insertInto('tenant_configs')
        .values({ tid, version, config: JSON.stringify(patch.config) })
        .execute();
      const held = await trx
        .selectFrom('tenant_keys')
        .select('alg')
        .where('tid', '=', tid)
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', new Date())]))
        .execute();
      const specs = keySpecsFor(patch.config, { skip: (alg) => held.some((k) => k.alg === alg) });
      await keyStores.for(patch.config.keys.backend).generate(tid, specs, { executor: trx });
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
    await appendAudit(trx, patchRecords(tid, actor, current, version, patch));
    return true;
  });
}

/** What a patch changed, one record each; the config by its version numbers, never its content. */
function patchRecords(
  tid: string,
  actor: string,
  before: { config_version: number; name: string; plan: string },
  version: number,
  patch: TenantPatch,
): AuditRecord[] {
  const target = `tenant:${tid}`;
  const records: AuditRecord[] = [];
  if (patch.config !== undefined)
    records.push({
      tid,
      actor,
      action: 'tenant.config_changed',
      target,
      details: { from_version: before.config_version, to_version: version },
    });
  if (patch.name !== undefined && patch.name !== before.name)
    records.push({ tid, actor, action: 'tenant.renamed', target, details: { from: before.name, to: patch.name } });
  if (patch.plan !== undefined && patch.plan !== before.plan)
    records.push({ tid, actor, action: 'tenant.plan_changed', target, details: { from: before.plan, to: patch.plan } });
  // attrs are the operator's free-form record: their names, not their values.
  if (patch.attrs !== undefined)
    records.push({ tid, actor, action: 'tenant.attrs_changed', target, details: { keys: Object.keys(patch.attrs) } });
  return records;
}
