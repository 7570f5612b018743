import { randomBytes } from 'node:crypto';
import { holdCountQuota } from '@tessera/shared/billing/count-quota';
import type { Db } from '@tessera/shared/db/database';
import { isPrintableIdentifier } from '@tessera/shared/text/printable-identifier';
import { type Clock, clockDate, systemClock } from '../ports/clock.ts';
import {
  DirectoryConflict,
  type DirectoryUser,
  type NewUser,
  normaliseUsername,
  type UserChange,
  type UserDirectory,
} from '../ports/user-directory.ts';
import { decoyHash, hashPassword, verifyPassword } from './password-hash.ts';
import { checkClaims } from './standard-claims.ts';

const MAX_LIST = 1000;
const nowSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e.code === '23505' && e.constraint === constraint;
}

type Row = { sub: string; username: string; claims: unknown; created_at: Date; updated_at: Date };
const toUser = (row: Row): DirectoryUser => ({
  sub: row.sub,
  username: row.username,
  claims: row.claims as Record<string, unknown>,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/**
 * The built-in user directory of every tenant in PostgreSQL (the contract
 * is in ports/user-directory.ts). It is the default password authenticator
 * and the default claims source.
 */
export class PostgresUserDirectory implements UserDirectory {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock = systemClock) {
    this.#db = db;
    this.#clock = clock;
  }

  /**
   * Throws DirectoryConflict when the sub or username is taken, ClaimsError for
   * bad claims, `quota_exceeded` when the tenant already has `limit` users
   * (counted and inserted in one transaction holding the tenant's row).
   */
  async create(tid: string, user: NewUser, limit: number | null = null): Promise<DirectoryUser> {
    const claims = checkClaims(user.claims ?? {});
    const sub = user.sub ?? randomBytes(16).toString('base64url');
    const now = clockDate(this.#clock);
    // Hashed before the transaction: scrypt takes a while, and the tenant's row is held inside it.
    const passwordHash = await hashPassword(user.password);
    const insert = (db: Db) =>
      db
        .insertInto('directory_users')
        .values({
          tid,
          sub,
          username: normaliseUsername(user.username),
          password_hash: passwordHash,
          claims: JSON.stringify(claims),
          created_at: now,
          updated_at: now,
        })
        .returning(['sub', 'username', 'claims', 'created_at', 'updated_at'])
        .executeTakeFirstOrThrow();
    try {
      const row =
        limit === null
          ? await insert(this.#db)
          : await this.#db.transaction().execute(async (trx) => {
              await holdCountQuota(trx, tid, 'users', limit);
              return insert(trx);
            });
      return toUser(row);
    } catch (err) {
      if (isUniqueViolation(err, 'directory_users_pk')) throw new DirectoryConflict(`The subject "${sub}" exists`);
      if (isUniqueViolation(err, 'directory_users_username'))
        throw new DirectoryConflict(`The username "${user.username}" is taken`);
      throw err;
    }
  }

  async get(tid: string, sub: string): Promise<DirectoryUser | null> {
    if (!isPrintableIdentifier(sub)) return null;
    const row = await this.#db
      .selectFrom('directory_users')
      .select(['sub', 'username', 'claims', 'created_at', 'updated_at'])
      .where('tid', '=', tid)
      .where('sub', '=', sub)
      .executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async findByUsername(tid: string, username: string): Promise<DirectoryUser | null> {
    if (!isPrintableIdentifier(username)) return null;
    const row = await this.#db
      .selectFrom('directory_users')
      .select(['sub', 'username', 'claims', 'created_at', 'updated_at'])
      .where('tid', '=', tid)
      .where('username', '=', normaliseUsername(username))
      .executeTakeFirst();
    return row ? toUser(row) : null;
  }

  /** Users ordered by sub, `limit` at a time after the `after` cursor. */
  async list(tid: string, options: { limit?: number; after?: string } = {}): Promise<DirectoryUser[]> {
    let query = this.#db
      .selectFrom('directory_users')
      .select(['sub', 'username', 'claims', 'created_at', 'updated_at'])
      .where('tid', '=', tid)
      .orderBy('sub')
      .limit(Math.min(options.limit ?? 100, MAX_LIST));
    if (options.after !== undefined) query = query.where('sub', '>', options.after);
    return (await query.execute()).map(toUser);
  }

  /** The changed user, or null when there is none with this sub. */
  async update(tid: string, sub: string, change: UserChange): Promise<DirectoryUser | null> {
    if (!isPrintableIdentifier(sub)) return null;
    const values: Record<string, unknown> = { updated_at: clockDate(this.#clock) };
    if (change.username !== undefined) values.username = normaliseUsername(change.username);
    if (change.password !== undefined) values.password_hash = await hashPassword(change.password);
    if (change.claims !== undefined) values.claims = JSON.stringify(checkClaims(change.claims));
    try {
      const row = await this.#db
        .updateTable('directory_users')
        .set(values)
        .where('tid', '=', tid)
        .where('sub', '=', sub)
        .returning(['sub', 'username', 'claims', 'created_at', 'updated_at'])
        .executeTakeFirst();
      return row ? toUser(row) : null;
    } catch (err) {
      if (isUniqueViolation(err, 'directory_users_username'))
        throw new DirectoryConflict(`The username "${change.username}" is taken`);
      throw err;
    }
  }

  async delete(tid: string, sub: string): Promise<boolean> {
    if (!isPrintableIdentifier(sub)) return false;
    const result = await this.#db
      .deleteFrom('directory_users')
      .where('tid', '=', tid)
      .where('sub', '=', sub)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /**
   * Check a username and password. An unknown username is checked against a
   * decoy hash, so it takes as long as a wrong password.
   */
  async authenticate(tid: string, username: string, password: string): Promise<{ sub: string } | null> {
    // No stored username is that long or holds a control character (the directory API refuses them).
    if (username.length > 255 || password.length > 1024 || !isPrintableIdentifier(username)) return null;
    const row = await this.#db
      .selectFrom('directory_users')
      .select(['sub', 'password_hash'])
      .where('tid', '=', tid)
      .where('username', '=', normaliseUsername(username))
      .executeTakeFirst();
    const ok = await verifyPassword(password, row?.password_hash ?? (await decoyHash()));
    return row && ok ? { sub: row.sub } : null;
  }

  /**
   * The claims of a local subject: what is stored, plus `updated_at` (OpenID
   * Connect Core §5.1). Null for an unknown subject. The caller sets `sub`.
   */
  async claims(tid: string, sub: string): Promise<Record<string, unknown> | null> {
    const user = await this.get(tid, sub);
    return user ? { ...user.claims, updated_at: nowSeconds(user.updatedAt) } : null;
  }
}
