import { sql } from 'kysely';
import type { TenantConfig } from '../config/tenant-config.ts';
import type { Db } from '../db/database.ts';
import { writeOutboxEvent } from '../events/event-outbox.ts';
import { HttpError } from '../http/errors.ts';
import { keyStatus } from './key-lifecycle.ts';
import type { KeyInfo, KeySpec, KeyStore } from './key-store.ts';
import { keyHistory } from './published-keys.ts';

/** Serialise key changes of one tenant (two rotations at once would both retire the same keys). */
async function lockTenantKeys(trx: Db, tid: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`tessera:keys:${tid}`}))`.execute(trx);
}

/**
 * Rotation: new keys for the given specs are published now and start signing
 * after `prePublicationSeconds`, when the keys they replace (same algorithm,
 * still active) retire — so every verifier has had the time to fetch the new
 * JWK set before it sees a token signed with a new key.
 */
export async function rotateKeys(
  db: Db,
  store: KeyStore,
  tid: string,
  specs: readonly KeySpec[],
  prePublicationSeconds: number,
  /** Who asked, for the `key.rotated` event: the schedule (`system`) unless told. */
  actor = 'system',
): Promise<KeyInfo[]> {
  return db.transaction().execute(async (trx) => {
    await lockTenantKeys(trx, tid);
    const now = new Date();
    const activateAt = new Date(now.getTime() + prePublicationSeconds * 1000);
    const current = (await keyHistory(trx, tid)).filter((k) => keyStatus(k, now) === 'active' && !k.retiredAt);
    const created = await store.generate(tid, specs, { activateAt, executor: trx });
    const replaced = current.filter((k) => specs.some((s) => s.alg === k.alg)).map((k) => k.kid);
    if (replaced.length > 0) {
      await trx
        .updateTable('tenant_keys')
        .set({ retired_at: activateAt })
        .where('tid', '=', tid)
        .where('kid', 'in', replaced)
        .execute();
    }
    await writeOutboxEvent(trx, keyRotatedEvent(tid, actor, 'rotate', created, replaced, activateAt));
    return created;
  });
}

/** The `key.rotated` event (docs/events.md), written in the rotation's transaction: public facts only (kids, algorithms, times). */
function keyRotatedEvent(
  tid: string,
  actor: string,
  mode: 'rotate' | 'generate',
  created: readonly KeyInfo[],
  replaced: readonly string[],
  activateAt: Date,
) {
  return {
    type: 'key.rotated' as const,
    tid,
    actor,
    data: {
      mode,
      new_keys: created.map((k) => ({ kid: k.kid, alg: k.alg, activates_at: k.activatedAt.toISOString() })),
      replaced_kids: [...replaced],
      activates_at: activateAt.toISOString(),
    },
  };
}

/**
 * A fresh set that signs at once (Connect2id's "generate"): the keys it
 * replaces retire now, or are revoked and destroyed when compromised.
 */
export async function generateFreshKeys(
  db: Db,
  store: KeyStore,
  tid: string,
  specs: readonly KeySpec[],
  options: { revokeActiveAsCompromised: boolean; actor?: string },
): Promise<KeyInfo[]> {
  const { created, revoked } = await db.transaction().execute(async (trx) => {
    await lockTenantKeys(trx, tid);
    const now = new Date();
    const live = (await keyHistory(trx, tid)).filter((k) => ['active', 'pending'].includes(keyStatus(k, now)));
    const made = await store.generate(tid, specs, { activateAt: now, executor: trx });
    const replaced = live.filter((k) => specs.some((s) => s.alg === k.alg)).map((k) => k.kid);
    if (replaced.length > 0) {
      await trx
        .updateTable('tenant_keys')
        .set(options.revokeActiveAsCompromised ? { retired_at: now, revoked_at: now } : { retired_at: now })
        .where('tid', '=', tid)
        .where('kid', 'in', replaced)
        .execute();
    }
    await writeOutboxEvent(trx, keyRotatedEvent(tid, options.actor ?? 'system', 'generate', made, replaced, now));
    return { created: made, revoked: options.revokeActiveAsCompromised ? replaced : [] };
  });
  for (const kid of revoked) await store.destroyKey(tid, kid);
  return created;
}

/**
 * Withdraw a retired key from the JWK set and destroy its private part. A key
 * retired more recently than the longest token lifetime may still be needed
 * to verify live tokens, so it is refused.
 */
export async function deleteRetiredKey(
  db: Db,
  store: KeyStore,
  tid: string,
  kid: string,
  config: TenantConfig,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockTenantKeys(trx, tid);
    const key = (await keyHistory(trx, tid)).find((k) => k.kid === kid);
    if (!key || key.revokedAt) throw new HttpError(404, 'not_found', `No key ${kid}`);
    const now = new Date();
    if (keyStatus(key, now) !== 'retired') {
      throw new HttpError(
        400,
        'invalid_request',
        `Key ${kid} is ${keyStatus(key, now)}; only a retired key can be deleted`,
      );
    }
    const longest = Math.max(config.tokens.accessTokenLifetime, config.tokens.idTokenLifetime) * 1000;
    const safeAt = new Date(key.retiredAt!.getTime() + longest);
    if (safeAt > now) {
      throw new HttpError(400, 'invalid_request', `Key ${kid} may still verify tokens until ${safeAt.toISOString()}`);
    }
    await trx
      .updateTable('tenant_keys')
      .set({ revoked_at: now })
      .where('tid', '=', tid)
      .where('kid', '=', kid)
      .execute();
  });
  await store.destroyKey(tid, kid);
}
