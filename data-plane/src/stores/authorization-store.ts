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
}
