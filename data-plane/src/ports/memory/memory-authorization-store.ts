import { randomUUID } from 'node:crypto';
import type { Authorization } from '@tessera/shared/authz/authorization';
import type { AuthorizationFilter, AuthorizationStore, StoredAuthorization } from '../authorization-store.ts';
import type { Clock } from '../clock.ts';
import type { AuthorizationRow, MemoryGrantTables } from './memory-grant-tables.ts';
import { addRefreshToken } from './memory-refresh-token-store.ts';

const toStored = (row: AuthorizationRow): StoredAuthorization => ({
  id: row.id,
  authz: JSON.parse(row.record) as Authorization,
  createdAt: new Date(row.createdAt),
  updatedAt: new Date(row.updatedAt),
});

const byAge = (a: AuthorizationRow, b: AuthorizationRow) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1);
const sorted = (values: Iterable<string>, limit: number) => [...new Set(values)].sort().slice(0, limit);

function refuseEmpty(filter: AuthorizationFilter & { id?: string }): void {
  if (filter.sub === undefined && filter.cid === undefined && filter.id === undefined)
    throw new Error('refusing to delete every authorisation');
}

/** Long-lived authorisations in memory (one per tenant, subject and client), sharing tables with the refresh tokens. */
export class MemoryAuthorizationStore implements AuthorizationStore {
  readonly #tables: MemoryGrantTables;
  readonly #clock: Clock;

  constructor(tables: MemoryGrantTables, clock: Clock) {
    this.#tables = tables;
    this.#clock = clock;
  }

  #matching(tid: string, filter: AuthorizationFilter & { id?: string }): AuthorizationRow[] {
    return [...this.#tables.authorizations.values()]
      .filter(
        (row) =>
          row.tid === tid &&
          (filter.id === undefined || row.id === filter.id) &&
          (filter.sub === undefined || row.sub === filter.sub) &&
          (filter.cid === undefined || row.cid === filter.cid),
      )
      .sort(byAge);
  }

  async upsert(tid: string, authz: Authorization): Promise<string> {
    const now = this.#clock.now();
    const [existing] = this.#matching(tid, { sub: authz.sub, cid: authz.cid });
    if (existing) {
      existing.record = JSON.stringify(authz);
      existing.updatedAt = now;
      return existing.id;
    }
    const id = randomUUID();
    this.#tables.authorizations.set(id, {
      id,
      tid,
      sub: authz.sub,
      cid: authz.cid,
      record: JSON.stringify(authz),
      createdAt: now,
      updatedAt: now,
    });
    return id;
  }

  async upsertWithRefreshToken(
    tid: string,
    authz: Authorization,
    refresh: { hmacKey: Uint8Array; expiresAt: Date | null },
  ): Promise<{ id: string; refreshToken: string }> {
    // Nothing awaits between the two steps, so no other call runs in between: atomic as the transaction is.
    const now = this.#clock.now();
    const [existing] = this.#matching(tid, { sub: authz.sub, cid: authz.cid });
    const id = existing?.id ?? randomUUID();
    const row: AuthorizationRow = existing ?? {
      id,
      tid,
      sub: authz.sub,
      cid: authz.cid,
      record: '',
      createdAt: now,
      updatedAt: now,
    };
    row.record = JSON.stringify(authz);
    row.updatedAt = now;
    this.#tables.authorizations.set(id, row);
    return { id, refreshToken: addRefreshToken(this.#tables, tid, refresh.hmacKey, id, refresh.expiresAt, now) };
  }

  async get(tid: string, id: string): Promise<StoredAuthorization | undefined> {
    const row = this.#tables.authorizations.get(id);
    return row && row.tid === tid ? toStored(row) : undefined;
  }

  async find(tid: string, filter: AuthorizationFilter): Promise<StoredAuthorization[]> {
    return this.#matching(tid, filter).slice(0, 1000).map(toStored);
  }

  async delete(tid: string, filter: AuthorizationFilter & { id?: string }): Promise<StoredAuthorization[]> {
    refuseEmpty(filter);
    const rows = this.#matching(tid, filter);
    this.#tables.deleteAuthorizations(rows);
    return rows.map(toStored);
  }

  async subjects(tid: string, filter: { cid?: string } = {}, limit = 10_000): Promise<string[]> {
    return sorted(
      this.#matching(tid, filter).map((row) => row.sub),
      limit,
    );
  }

  async clients(tid: string, filter: { sub?: string } = {}, limit = 10_000): Promise<string[]> {
    return sorted(
      this.#matching(tid, filter).map((row) => row.cid),
      limit,
    );
  }

  async deleteBefore(tid: string, filter: AuthorizationFilter, before: Date): Promise<StoredAuthorization[]> {
    refuseEmpty(filter);
    const cutoff = before.getTime();
    const matching = this.#matching(tid, filter);
    const older = matching.filter((row) => row.updatedAt < cutoff);
    this.#tables.deleteAuthorizations(older);
    const remaining = new Set(matching.filter((row) => row.updatedAt >= cutoff).map((row) => row.id));
    for (const [hash, entry] of this.#tables.refreshTokens) {
      if (entry.tid === tid && remaining.has(entry.authorizationId) && entry.issuedAt < cutoff)
        this.#tables.refreshTokens.delete(hash);
    }
    return older.map(toStored);
  }
}
