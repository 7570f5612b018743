import { randomBytes } from 'node:crypto';
import type { MasterKey } from '../crypto/master-key.ts';
import type { Db } from '../db/database.ts';
import { type Clock, systemClock } from '../time/clock.ts';

/** The name of the secret every webhook call and event delivery of a tenant is signed with. */
export const WEBHOOK_SECRET_NAME = 'webhook';

/** Secret names: lowercase letters, digits and dashes, starting with a letter (they appear in URLs). */
export const SECRET_NAME_PATTERN = '^[a-z][a-z0-9-]{0,62}$';
const NAME = new RegExp(SECRET_NAME_PATTERN);
export const isSecretName = (name: string): boolean => NAME.test(name);

/** Longest value an admin may set, bytes (a password or token, not a document). */
export const SECRET_VALUE_MAX = 4096;

/**
 * How long the previous webhook secret still signs after a rotation: calls
 * carry a `v1` for both, so a receiver verifies with either while it
 * switches over (docs/plugins/webhooks.md).
 */
export const WEBHOOK_SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;

export const context = (tid: string, name: string) => `tessera:tenant-plugin-secret:${tid}:${name}`;

/** A secret's name and dates: what a listing shows (never the value). */
export interface TenantSecretInfo {
  name: string;
  createdAt: Date;
  /** Until when the value it replaced still signs (webhook secret only). */
  previousValidUntil: Date | null;
}

/**
 * A tenant's plugin secrets in PostgreSQL (table tenant_plugin_secrets),
 * sealed under the master key and bound to tenant and name, so a value
 * copied to another row does not open. The webhook secret is generated
 * here and shown once; other values are set by the tenant's admin and never
 * shown back (the data plane reads them to use them, e.g. an LDAP bind).
 */
export class TenantSecretStore {
  readonly #db: Db;
  readonly #masterKey: MasterKey;
  readonly #clock: Clock;

  constructor(db: Db, masterKey: MasterKey, clock: Clock = systemClock) {
    this.#db = db;
    this.#masterKey = masterKey;
    this.#clock = clock;
  }

  /** The current value, or null when the tenant has none of that name. */
  async get(tid: string, name: string): Promise<string | null> {
    if (!isSecretName(name)) return null;
    const row = await this.#db
      .selectFrom('tenant_plugin_secrets')
      .select('sealed')
      .where('tid', '=', tid)
      .where('name', '=', name)
      .executeTakeFirst();
    return row ? this.#masterKey.openText(row.sealed, context(tid, name)) : null;
  }

  /** What webhook calls are signed with: the current secret, then the previous one while it overlaps; empty when none. */
  async webhookSigningSecrets(tid: string): Promise<string[]> {
    const row = await this.#db
      .selectFrom('tenant_plugin_secrets')
      .select(['sealed', 'previous_sealed', 'previous_valid_until'])
      .where('tid', '=', tid)
      .where('name', '=', WEBHOOK_SECRET_NAME)
      .executeTakeFirst();
    if (!row) return [];
    const secrets = [this.#masterKey.openText(row.sealed, context(tid, WEBHOOK_SECRET_NAME))];
    if (row.previous_sealed && row.previous_valid_until && row.previous_valid_until.getTime() > this.#clock.now())
      secrets.push(this.#masterKey.openText(row.previous_sealed, context(tid, WEBHOOK_SECRET_NAME)));
    return secrets;
  }

  /** Set (or replace, without overlap) an admin-chosen secret. Not the webhook secret: that one is generated. */
  async set(tid: string, name: string, value: string): Promise<void> {
    if (!isSecretName(name) || name === WEBHOOK_SECRET_NAME) throw new Error(`not a settable secret name: ${name}`);
    const sealed = this.#masterKey.sealText(value, context(tid, name));
    const now = new Date(this.#clock.now());
    await this.#db
      .insertInto('tenant_plugin_secrets')
      .values({ tid, name, sealed, previous_sealed: null, previous_valid_until: null, created_at: now })
      .onConflict((oc) =>
        oc
          .columns(['tid', 'name'])
          .doUpdateSet({ sealed, previous_sealed: null, previous_valid_until: null, created_at: now }),
      )
      .execute();
  }

  /**
   * A new webhook secret (`whsec_` + 32 random bytes, base64url), returned
   * once; the one it replaces keeps signing for WEBHOOK_SECRET_OVERLAP_MS.
   * One statement, so two concurrent rotations cannot lose a value.
   */
  async rotateWebhookSecret(tid: string): Promise<{ secret: string; createdAt: Date }> {
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const sealed = this.#masterKey.sealText(secret, context(tid, WEBHOOK_SECRET_NAME));
    const createdAt = new Date(this.#clock.now());
    const overlapUntil = new Date(createdAt.getTime() + WEBHOOK_SECRET_OVERLAP_MS);
    await this.#db
      .insertInto('tenant_plugin_secrets')
      .values({
        tid,
        name: WEBHOOK_SECRET_NAME,
        sealed,
        previous_sealed: null,
        previous_valid_until: null,
        created_at: createdAt,
      })
      .onConflict((oc) =>
        oc.columns(['tid', 'name']).doUpdateSet((eb) => ({
          sealed,
          previous_sealed: eb.ref('tenant_plugin_secrets.sealed'),
          previous_valid_until: overlapUntil,
          created_at: createdAt,
        })),
      )
      .execute();
    return { secret, createdAt };
  }

  /** Names and dates of the tenant's secrets, by name. */
  async list(tid: string): Promise<TenantSecretInfo[]> {
    const rows = await this.#db
      .selectFrom('tenant_plugin_secrets')
      .select(['name', 'created_at', 'previous_valid_until'])
      .where('tid', '=', tid)
      .orderBy('name')
      .execute();
    const now = this.#clock.now();
    return rows.map((r) => ({
      name: r.name,
      createdAt: r.created_at,
      previousValidUntil:
        r.previous_valid_until && r.previous_valid_until.getTime() > now ? r.previous_valid_until : null,
    }));
  }

  /** Remove a secret; false when there was none. */
  async delete(tid: string, name: string): Promise<boolean> {
    if (!isSecretName(name)) return false;
    const result = await this.#db
      .deleteFrom('tenant_plugin_secrets')
      .where('tid', '=', tid)
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
