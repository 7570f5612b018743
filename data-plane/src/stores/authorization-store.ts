import { sql } from 'kysely';
import type { Authorization } from '@tessera/shared/authz/authorization';
import type { Db } from '@tessera/shared/db/database';

export interface StoredAuthorization {
  id: string;
  authz: Authorization;
  createdAt: Date;
  updatedAt: Date;
}

/** Long-lived authorisations (remembered consent): one per tenant, subject and client. */
export class AuthorizationStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Insert or replace the authorisation of (sub, cid); its refresh tokens survive a replace. */
  async upsert(tid: string, authz: Authorization, executor: Db = this.#db): Promise<string> {
    const row = await executor
      .insertInto('authorizations')
      .values({ tid, sub: authz.sub, client_id: authz.cid, record: JSON.stringify(authz) })
      .onConflict((oc) =>
        oc.columns(['tid', 'sub', 'client_id']).doUpdateSet({ record: JSON.stringify(authz), updated_at: sql`clock_timestamp()` }),
      )
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async get(tid: string, id: string): Promise<StoredAuthorization | undefined> {
    const row = await this.#db.selectFrom('authorizations').selectAll().where('tid', '=', tid).where('id', '=', id).executeTakeFirst();
    return row ? { id: row.id, authz: row.record as unknown as Authorization, createdAt: row.created_at, updatedAt: row.updated_at } : undefined;
  }

  async find(tid: string, filter: { sub?: string; cid?: string }): Promise<StoredAuthorization[]> {
    let query = this.#db.selectFrom('authorizations').selectAll().where('tid', '=', tid);
    if (filter.sub !== undefined) query = query.where('sub', '=', filter.sub);
    if (filter.cid !== undefined) query = query.where('client_id', '=', filter.cid);
    const rows = await query.orderBy('created_at').limit(1000).execute();
    return rows.map((row) => ({ id: row.id, authz: row.record as unknown as Authorization, createdAt: row.created_at, updatedAt: row.updated_at }));
  }

  /** Delete matching authorisations (and, by cascade, their refresh tokens); returns what was deleted. */
  async delete(tid: string, filter: { sub?: string; cid?: string; id?: string }): Promise<StoredAuthorization[]> {
    if (filter.sub === undefined && filter.cid === undefined && filter.id === undefined) throw new Error('refusing to delete every authorisation');
    let query = this.#db.deleteFrom('authorizations').where('tid', '=', tid);
    if (filter.id !== undefined) query = query.where('id', '=', filter.id);
    if (filter.sub !== undefined) query = query.where('sub', '=', filter.sub);
    if (filter.cid !== undefined) query = query.where('client_id', '=', filter.cid);
    const rows = await query.returningAll().execute();
    return rows.map((row) => ({ id: row.id, authz: row.record as unknown as Authorization, createdAt: row.created_at, updatedAt: row.updated_at }));
  }

  /** Distinct subjects having a long-lived authorisation (with client `cid` when given), sorted. */
  async subjects(tid: string, filter: { cid?: string } = {}, limit = 10_000): Promise<string[]> {
    let query = this.#db.selectFrom('authorizations').select('sub').distinct().where('tid', '=', tid);
    if (filter.cid !== undefined) query = query.where('client_id', '=', filter.cid);
    const rows = await query.orderBy('sub').limit(limit).execute();
    return rows.map((row) => row.sub);
  }

  /** Distinct clients having a long-lived authorisation (of subject `sub` when given), sorted. */
  async clients(tid: string, filter: { sub?: string } = {}, limit = 10_000): Promise<string[]> {
    let query = this.#db.selectFrom('authorizations').select('client_id').distinct().where('tid', '=', tid);
    if (filter.sub !== undefined) query = query.where('sub', '=', filter.sub);
    const rows = await query.orderBy('client_id').limit(limit).execute();
    return rows.map((row) => row.client_id);
  }

  /**
   * Revocation as of `before` (exclusive): delete the matching authorisations
   * last granted or updated before it (their refresh tokens go by cascade),
   * and of the matching ones updated since, the refresh tokens issued before
   * it. Returns the deleted authorisations.
   */
  async deleteBefore(tid: string, filter: { sub?: string; cid?: string }, before: Date): Promise<StoredAuthorization[]> {
    if (filter.sub === undefined && filter.cid === undefined) throw new Error('refusing to delete every authorisation');
    return this.#db.transaction().execute(async (trx) => {
      let query = trx.deleteFrom('authorizations').where('tid', '=', tid).where('updated_at', '<', before);
      if (filter.sub !== undefined) query = query.where('sub', '=', filter.sub);
      if (filter.cid !== undefined) query = query.where('client_id', '=', filter.cid);
      const rows = await query.returningAll().execute();
      let remaining = trx.selectFrom('authorizations').select('id').where('tid', '=', tid);
      if (filter.sub !== undefined) remaining = remaining.where('sub', '=', filter.sub);
      if (filter.cid !== undefined) remaining = remaining.where('client_id', '=', filter.cid);
      await trx.deleteFrom('refresh_tokens').where('tid', '=', tid).where('issued_at', '<', before).where('authorization_id', 'in', remaining).execute();
      return rows.map((row) => ({ id: row.id, authz: row.record as unknown as Authorization, createdAt: row.created_at, updatedAt: row.updated_at }));
    });
  }
}
