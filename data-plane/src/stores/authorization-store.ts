import type { Authorization } from '@tessera/shared/authz/authorization';
import type { Db } from '@tessera/shared/db/database';
import { CompiledQuery } from 'kysely';
import type { AuthorizationFilter, AuthorizationStore, StoredAuthorization } from '../ports/authorization-store.ts';
import { type Clock, clockDate, systemClock } from '../ports/clock.ts';
import { insertRefreshToken } from './refresh-token-store.ts';

type Row = { id: string; record: unknown; created_at: Date; updated_at: Date };
const toStored = (row: Row): StoredAuthorization => ({
  id: row.id,
  authz: row.record as Authorization,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Stand-ins for `find`'s values in its compiled parameters, replaced by the values of each call. */
const TID = '\u0000tid';
const SUB = '\u0000sub';
const CID = '\u0000cid';

function refuseEmpty(filter: AuthorizationFilter & { id?: string }): void {
  if (filter.sub === undefined && filter.cid === undefined && filter.id === undefined)
    throw new Error('refusing to delete every authorisation');
}

/** Long-lived authorisations in PostgreSQL: one row per tenant, subject and client; refresh tokens cascade from it. */
export class PostgresAuthorizationStore implements AuthorizationStore {
  readonly #db: Db;
  readonly #clock: Clock;
  /**
   * `find`'s compiled SQL per filter shape: every login asks for a remembered
   * consent, and building and compiling the query cost more than sending it.
   */
  readonly #findSql = new Map<string, CompiledQuery>();

  constructor(db: Db, clock: Clock = systemClock) {
    this.#db = db;
    this.#clock = clock;
  }

  async upsert(tid: string, authz: Authorization): Promise<string> {
    return this.#upsert(this.#db, tid, authz, clockDate(this.#clock));
  }

  async upsertWithRefreshToken(
    tid: string,
    authz: Authorization,
    refresh: { hmacKey: Uint8Array; expiresAt: Date | null },
  ): Promise<{ id: string; refreshToken: string }> {
    const now = clockDate(this.#clock);
    return this.#db.transaction().execute(async (trx) => {
      const id = await this.#upsert(trx, tid, authz, now);
      return { id, refreshToken: await insertRefreshToken(trx, tid, refresh.hmacKey, id, refresh.expiresAt, now) };
    });
  }

  async #upsert(executor: Db, tid: string, authz: Authorization, now: Date): Promise<string> {
    const record = JSON.stringify(authz);
    const row = await executor
      .insertInto('authorizations')
      .values({ tid, sub: authz.sub, client_id: authz.cid, record, created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['tid', 'sub', 'client_id']).doUpdateSet({ record, updated_at: now }))
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async get(tid: string, id: string): Promise<StoredAuthorization | undefined> {
    const row = await this.#db
      .selectFrom('authorizations')
      .selectAll()
      .where('tid', '=', tid)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toStored(row) : undefined;
  }

  async find(tid: string, filter: AuthorizationFilter): Promise<StoredAuthorization[]> {
    const shape = `${filter.sub === undefined ? '' : 's'}${filter.cid === undefined ? '' : 'c'}`;
    let compiled = this.#findSql.get(shape);
    if (!compiled) {
      let query = this.#db.selectFrom('authorizations').selectAll().where('tid', '=', TID);
      if (filter.sub !== undefined) query = query.where('sub', '=', SUB);
      if (filter.cid !== undefined) query = query.where('client_id', '=', CID);
      compiled = query.orderBy('created_at').orderBy('id').limit(1000).compile();
      this.#findSql.set(shape, compiled);
    }
    const values: Record<string, unknown> = { [TID]: tid, [SUB]: filter.sub, [CID]: filter.cid };
    const parameters = compiled.parameters.map((p) => (typeof p === 'string' && p in values ? values[p] : p));
    const { rows } = await this.#db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, parameters));
    return rows.map(toStored);
  }

  async delete(tid: string, filter: AuthorizationFilter & { id?: string }): Promise<StoredAuthorization[]> {
    refuseEmpty(filter);
    let query = this.#db.deleteFrom('authorizations').where('tid', '=', tid);
    if (filter.id !== undefined) query = query.where('id', '=', filter.id);
    if (filter.sub !== undefined) query = query.where('sub', '=', filter.sub);
    if (filter.cid !== undefined) query = query.where('client_id', '=', filter.cid);
    return (await query.returningAll().execute()).map(toStored);
  }

  async subjects(tid: string, filter: { cid?: string } = {}, limit = 10_000): Promise<string[]> {
    let query = this.#db.selectFrom('authorizations').select('sub').distinct().where('tid', '=', tid);
    if (filter.cid !== undefined) query = query.where('client_id', '=', filter.cid);
    return (await query.orderBy('sub').limit(limit).execute()).map((row) => row.sub);
  }

  async clients(tid: string, filter: { sub?: string } = {}, limit = 10_000): Promise<string[]> {
    let query = this.#db.selectFrom('authorizations').select('client_id').distinct().where('tid', '=', tid);
    if (filter.sub !== undefined) query = query.where('sub', '=', filter.sub);
    return (await query.orderBy('client_id').limit(limit).execute()).map((row) => row.client_id);
  }

  async deleteBefore(tid: string, filter: AuthorizationFilter, before: Date): Promise<StoredAuthorization[]> {
    refuseEmpty(filter);
    return this.#db.transaction().execute(async (trx) => {
      let query = trx.deleteFrom('authorizations').where('tid', '=', tid).where('updated_at', '<', before);
      if (filter.sub !== undefined) query = query.where('sub', '=', filter.sub);
      if (filter.cid !== undefined) query = query.where('client_id', '=', filter.cid);
      const rows = await query.returningAll().execute();
      let remaining = trx.selectFrom('authorizations').select('id').where('tid', '=', tid);
      if (filter.sub !== undefined) remaining = remaining.where('sub', '=', filter.sub);
      if (filter.cid !== undefined) remaining = remaining.where('client_id', '=', filter.cid);
      await trx
        .deleteFrom('refresh_tokens')
        .where('tid', '=', tid)
        .where('issued_at', '<', before)
        .where('authorization_id', 'in', remaining)
        .execute();
      return rows.map(toStored);
    });
  }
}
