import { randomBytes } from 'node:crypto';
import { quotaExceeded } from '@tessera/shared/billing/count-quota';
import { isPrintableIdentifier } from '@tessera/shared/text/printable-identifier';
import { decoyHash, hashPassword, verifyPassword } from '../../directory/password-hash.ts';
import { checkClaims } from '../../directory/standard-claims.ts';
import type { Clock } from '../clock.ts';
import {
  DirectoryConflict,
  type DirectoryUser,
  type NewUser,
  normaliseUsername,
  type UserChange,
  type UserDirectory,
} from '../user-directory.ts';

interface Row {
  sub: string;
  username: string;
  passwordHash: string;
  claims: string;
  createdAt: number;
  updatedAt: number;
}

const MAX_LIST = 1000;
const key = (tid: string, sub: string) => `${tid}\u0000${sub}`;
const toUser = (row: Row): DirectoryUser => ({
  sub: row.sub,
  username: row.username,
  claims: JSON.parse(row.claims) as Record<string, unknown>,
  createdAt: new Date(row.createdAt),
  updatedAt: new Date(row.updatedAt),
});

/** The user directory in memory: the same scrypt hashes, claim checks and uniqueness rules as in PostgreSQL. */
export class MemoryUserDirectory implements UserDirectory {
  readonly #clock: Clock;
  readonly #users = new Map<string, Row>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  #count(tid: string): number {
    let n = 0;
    for (const k of this.#users.keys()) if (k.startsWith(`${tid}\u0000`)) n++;
    return n;
  }

  #byUsername(tid: string, username: string): Row | undefined {
    const wanted = normaliseUsername(username);
    for (const [k, row] of this.#users) if (k.startsWith(`${tid}\u0000`) && row.username === wanted) return row;
    return undefined;
  }

  async create(tid: string, user: NewUser, limit: number | null = null): Promise<DirectoryUser> {
    const claims = checkClaims(user.claims ?? {});
    const sub = user.sub ?? randomBytes(16).toString('base64url');
    const passwordHash = await hashPassword(user.password);
    if (this.#users.has(key(tid, sub))) throw new DirectoryConflict(`The subject "${sub}" exists`);
    if (this.#byUsername(tid, user.username)) throw new DirectoryConflict(`The username "${user.username}" is taken`);
    // Synchronous from the count to the insert: parallel creations take turns, as under the row lock in PostgreSQL.
    if (limit !== null && this.#count(tid) >= limit) throw quotaExceeded('users', limit);
    const now = this.#clock.now();
    const row: Row = {
      sub,
      username: normaliseUsername(user.username),
      passwordHash,
      claims: JSON.stringify(claims),
      createdAt: now,
      updatedAt: now,
    };
    this.#users.set(key(tid, sub), row);
    return toUser(row);
  }

  async get(tid: string, sub: string): Promise<DirectoryUser | null> {
    const row = isPrintableIdentifier(sub) ? this.#users.get(key(tid, sub)) : undefined;
    return row ? toUser(row) : null;
  }

  async findByUsername(tid: string, username: string): Promise<DirectoryUser | null> {
    const row = isPrintableIdentifier(username) ? this.#byUsername(tid, username) : undefined;
    return row ? toUser(row) : null;
  }

  async list(tid: string, options: { limit?: number; after?: string } = {}): Promise<DirectoryUser[]> {
    const { after } = options;
    return [...this.#users.entries()]
      .filter(([k, row]) => k.startsWith(`${tid}\u0000`) && (after === undefined || row.sub > after))
      .map(([, row]) => row)
      .sort((a, b) => (a.sub < b.sub ? -1 : 1))
      .slice(0, Math.min(options.limit ?? 100, MAX_LIST))
      .map(toUser);
  }

  async update(tid: string, sub: string, change: UserChange): Promise<DirectoryUser | null> {
    const row = isPrintableIdentifier(sub) ? this.#users.get(key(tid, sub)) : undefined;
    if (!row) return null;
    const claims = change.claims !== undefined ? JSON.stringify(checkClaims(change.claims)) : row.claims;
    const passwordHash = change.password !== undefined ? await hashPassword(change.password) : row.passwordHash;
    if (change.username !== undefined) {
      const holder = this.#byUsername(tid, change.username);
      if (holder && holder.sub !== sub) throw new DirectoryConflict(`The username "${change.username}" is taken`);
    }
    const username = change.username !== undefined ? normaliseUsername(change.username) : row.username;
    const changed: Row = { ...row, username, passwordHash, claims, updatedAt: this.#clock.now() };
    this.#users.set(key(tid, sub), changed);
    return toUser(changed);
  }

  async delete(tid: string, sub: string): Promise<boolean> {
    return isPrintableIdentifier(sub) && this.#users.delete(key(tid, sub));
  }

  async authenticate(tid: string, username: string, password: string): Promise<{ sub: string } | null> {
    if (username.length > 255 || password.length > 1024 || !isPrintableIdentifier(username)) return null;
    const row = this.#byUsername(tid, username);
    const ok = await verifyPassword(password, row?.passwordHash ?? (await decoyHash()));
    return row && ok ? { sub: row.sub } : null;
  }

  async claims(tid: string, sub: string): Promise<Record<string, unknown> | null> {
    const user = await this.get(tid, sub);
    return user ? { ...user.claims, updated_at: Math.floor(user.updatedAt.getTime() / 1000) } : null;
  }
}
