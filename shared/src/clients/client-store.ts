import { sql } from 'kysely';
import { holdCountQuota } from '../billing/count-quota.ts';
import type { MasterKey } from '../crypto/master-key.ts';
import type { Db } from '../db/database.ts';
import { isPrintableIdentifier } from '../text/printable-identifier.ts';
import { type Clock, systemClock } from '../time/clock.ts';
import type { Client, ClientMetadata } from './client.ts';

export const secretContext = (tid: string, clientId: string) => `tessera:client-secret:${tid}:${clientId}`;

/** How long the previous secret stays valid after a change (seamless rollover). */
export const SECRET_ROLLOVER_MS = 30 * 60 * 1000;

/** What a new client is made of: its id, metadata, secret (plain, sealed here) and registration token hash. */
interface NewClient {
  clientId: string;
  metadata: ClientMetadata;
  secret: string | null;
  /** Instead of a secret: its scrypt hash (`scrypt$…`), kept as given. */
  secretHash?: string;
  secretExpiresAt: Date | null;
  registrationTokenSha256: string | null;
}

/** The largest page `ClientStore.page` returns. */
export const MAX_CLIENT_PAGE = 1000;

/** A client as an administrator may see it: its metadata and times, whether it has a secret, never the secret. */
export interface ClientSummary {
  clientId: string;
  metadata: ClientMetadata;
  hasSecret: boolean;
  secretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A hashed secret is kept as given, in the same column as sealed ones (`v1.…`): the prefix tells them apart. */
export const isHash = (stored: string) => stored.startsWith('scrypt$');

/**
 * Clients in Postgres (the contract is the data plane's ClientStore port,
 * data-plane/src/ports/client-store.ts). Secrets are sealed under the
 * master key, bound to tenant and client id (client_secret_jwt needs them back), or, where
 * the tenant's client secret codec says `hashed`, kept as the scrypt hash the data plane
 * made; registration access tokens are kept as SHA-256 only.
 */
export class ClientStore {
  readonly #db: Db;
  readonly #masterKey: MasterKey;
  readonly #clock: Clock;

  constructor(db: Db, masterKey: MasterKey, clock: Clock = systemClock) {
    this.#db = db;
    this.#masterKey = masterKey;
    this.#clock = clock;
  }

  async get(tid: string, clientId: string): Promise<Client | undefined> {
    if (!isPrintableIdentifier(clientId)) return undefined; // no client has such an id, and PostgreSQL would refuse a NUL
    const row = await this.#db
      .selectFrom('clients')
      .selectAll()
      .where('tid', '=', tid)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    if (!row) return undefined;
    const open = (sealed: string | null) =>
      sealed && !isHash(sealed) ? this.#masterKey.openText(sealed, secretContext(tid, clientId)) : null;
    const hash = (stored: string | null) => (stored && isHash(stored) ? stored : null);
    return {
      tid,
      clientId,
      metadata: row.metadata as ClientMetadata,
      secret: open(row.secret_sealed),
      secretExpiresAt: row.secret_expires_at,
      previousSecret: open(row.previous_secret_sealed),
      previousSecretValidUntil: row.previous_secret_valid_until,
      ...(hash(row.secret_sealed) ? { secretHash: hash(row.secret_sealed) } : {}),
      ...(hash(row.previous_secret_sealed) ? { previousSecretHash: hash(row.previous_secret_sealed) } : {}),
      registrationTokenSha256: row.registration_token_sha256,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async list(tid: string): Promise<string[]> {
    return (
      await this.#db.selectFrom('clients').select('client_id').where('tid', '=', tid).orderBy('client_id').execute()
    ).map((r) => r.client_id);
  }

  /**
   * A page of the tenant's clients for an administrator to read, ordered by
   * client id. Contract: never another tenant's client; at most `limit`
   * (clamped to 1..MAX_CLIENT_PAGE) clients, those whose id sorts after
   * `after` when given (a keyset cursor: a client added or removed between
   * pages neither repeats nor skips the others); `next` is the last id of
   * the page when more clients follow, absent on the last page. A summary
   * holds the stored metadata, times and whether there is a secret: never a
   * secret, its hash or the registration token hash (none is selected). An
   * `after` no client id can hold (a control character) gives an empty page.
   */
  async page(
    tid: string,
    options: { limit: number; after?: string },
  ): Promise<{ clients: ClientSummary[]; next?: string }> {
    const limit = Math.max(1, Math.min(Math.trunc(options.limit), MAX_CLIENT_PAGE));
    if (options.after !== undefined && !isPrintableIdentifier(options.after)) return { clients: [] };
    let query = this.#db
      .selectFrom('clients')
      .select(['client_id', 'metadata', 'secret_expires_at', 'created_at', 'updated_at'])
      .select(sql<boolean>`secret_sealed is not null`.as('has_secret'))
      .where('tid', '=', tid)
      .orderBy('client_id')
      // One more than asked: whether another page follows.
      .limit(limit + 1);
    if (options.after !== undefined) query = query.where('client_id', '>', options.after);
    const rows = await query.execute();
    const clients = rows.slice(0, limit).map((row) => ({
      clientId: row.client_id,
      metadata: row.metadata as ClientMetadata,
      hasSecret: row.has_secret,
      secretExpiresAt: row.secret_expires_at,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }));
    return rows.length > limit ? { clients, next: clients[clients.length - 1]!.clientId } : { clients };
  }

  /** Every origin some client of the tenant registered in `allowed_cors_origins`, once each (what a CORS preflight may come from). */
  async corsOrigins(tid: string): Promise<string[]> {
    const { rows } = await sql<{ origin: string }>`
      select distinct jsonb_array_elements_text(metadata -> 'allowed_cors_origins') as origin
      from clients
      where tid = ${tid} and jsonb_typeof(metadata -> 'allowed_cors_origins') = 'array'`.execute(this.#db);
    return rows.map((r) => r.origin).sort();
  }

  /**
   * Create a client; returns false when the client id is taken in this tenant.
   * With a `limit` (the plan's client quota), throws `quota_exceeded` and
   * creates nothing when the tenant already has that many: counted and
   * inserted in one transaction holding the tenant's row.
   */
  async create(tid: string, input: NewClient, limit: number | null = null): Promise<boolean> {
    if (limit === null) return this.#insert(this.#db, tid, input);
    return this.#db.transaction().execute(async (trx) => {
      await holdCountQuota(trx, tid, 'clients', limit);
      return this.#insert(trx, tid, input);
    });
  }

  async #insert(db: Db, tid: string, input: NewClient): Promise<boolean> {
    const result = await db
      .insertInto('clients')
      .values({
        tid,
        client_id: input.clientId,
        metadata: JSON.stringify(input.metadata),
        secret_sealed: input.secretHash
          ? input.secretHash
          : input.secret
            ? this.#masterKey.sealText(input.secret, secretContext(tid, input.clientId))
            : null,
        secret_expires_at: input.secretExpiresAt,
        previous_secret_sealed: null,
        previous_secret_valid_until: null,
        registration_token_sha256: input.registrationTokenSha256,
        created_at: new Date(this.#clock.now()),
        updated_at: new Date(this.#clock.now()),
      })
      .onConflict((oc) => oc.columns(['tid', 'client_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  /**
   * Replace a client's metadata (RFC 7592 PUT). A new secret moves the current
   * one to `previous`, valid for 30 more minutes. Returns false when absent.
   */
  async update(
    tid: string,
    clientId: string,
    input: {
      metadata: ClientMetadata;
      newSecret?: string | null;
      /** With `newSecret: null`: the new secret's hash instead. */
      newSecretHash?: string;
      secretExpiresAt?: Date | null;
      registrationTokenSha256?: string | null;
    },
  ): Promise<boolean> {
    const changes: Record<string, unknown> = {
      metadata: JSON.stringify(input.metadata),
      updated_at: new Date(this.#clock.now()),
    };
    if (input.newSecret !== undefined) {
      changes.previous_secret_sealed = sql`secret_sealed`;
      changes.previous_secret_valid_until = new Date(this.#clock.now() + SECRET_ROLLOVER_MS);
      changes.secret_sealed = input.newSecretHash
        ? input.newSecretHash
        : input.newSecret
          ? this.#masterKey.sealText(input.newSecret, secretContext(tid, clientId))
          : null;
      changes.secret_expires_at = input.secretExpiresAt ?? null;
    }
    if (input.registrationTokenSha256 !== undefined) changes.registration_token_sha256 = input.registrationTokenSha256;
    const result = await this.#db
      .updateTable('clients')
      .set(changes)
      .where('tid', '=', tid)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async delete(tid: string, clientId: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('clients')
      .where('tid', '=', tid)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }
}
