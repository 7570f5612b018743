import { sql } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { Db } from '../../db/database.ts';
import type { HsmToken } from '../hsm-settings.ts';

/** Every token of the slot pool is held by a tenant: provisioning cannot go on until the operator adds tokens. */
export class HsmPoolExhaustedError extends Error {
  constructor(size: number) {
    super(`the HSM slot pool is exhausted: all ${size} tokens are claimed by tenants; add tokens to TESSERA_HSM_POOL`);
    this.name = 'HsmPoolExhaustedError';
  }
}

/**
 * The slot pool's bookkeeping in PostgreSQL: the configured tokens are rows
 * of `hsm_pool_members`, added as they appear in the configuration; a claim
 * takes the first free one with one conditional UPDATE (`for update skip
 * locked`, so concurrent provisionings never get the same token and never
 * wait on each other).
 */
export const hsmPool = {
  /** Claim a free configured token for `tid` (through `db`, a transaction); the tenant's existing claim if it has one. */
  async claim(db: Db, pool: readonly HsmToken[], tid: string): Promise<string> {
    const labels = pool.map((t) => t.label);
    const held = await db
      .selectFrom('hsm_pool_members')
      .select('label')
      .where('claimed_by', '=', tid)
      .executeTakeFirst();
    if (held) return held.label;
    await db
      .insertInto('hsm_pool_members')
      .values(labels.map((label) => ({ label })))
      .onConflict((oc) => oc.column('label').doNothing())
      .execute();
    const claimed = await sql<{ label: string }>`
      update hsm_pool_members set claimed_by = ${tid}, claimed_at = now()
      where label = (
        select label from hsm_pool_members
        where claimed_by is null and label = any(${labels}::varchar[])
        order by label limit 1 for update skip locked)
      returning label`.execute(db);
    const label = claimed.rows[0]?.label;
    if (!label) throw new HsmPoolExhaustedError(labels.length);
    return label;
  },

  /** Give the token back (after its objects were destroyed). */
  async release(db: Db, label: string, tid: string): Promise<void> {
    await db
      .updateTable('hsm_pool_members')
      .set({ claimed_by: null, claimed_at: null })
      .where('label', '=', label)
      .where('claimed_by', '=', tid)
      .execute();
  },

  /** How many configured tokens no tenant holds. */
  async free(db: Db, pool: readonly HsmToken[]): Promise<number> {
    if (pool.length === 0) return 0;
    const row = await db
      .selectFrom('hsm_pool_members')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('claimed_by', 'is not', null)
      .where(
        'label',
        'in',
        pool.map((t) => t.label),
      )
      .executeTakeFirstOrThrow();
    return pool.length - Number(row.n);
  },
};

/** `tessera_hsm_pool_free_members` (and the pool's size) for a registry, read from PostgreSQL at each scrape. */
export function registerHsmPoolGauge(registry: Registry, db: Db, pool: readonly HsmToken[]): void {
  new Gauge({
    name: 'tessera_hsm_pool_size_members',
    help: 'Tokens in the HSM slot pool (TESSERA_HSM_POOL)',
    registers: [registry],
    collect() {
      this.set(pool.length);
    },
  });
  new Gauge({
    name: 'tessera_hsm_pool_free_members',
    help: 'HSM slot pool tokens no tenant holds; at 0 provisioning fails',
    registers: [registry],
    async collect() {
      this.set(await hsmPool.free(db, pool));
    },
  });
}
