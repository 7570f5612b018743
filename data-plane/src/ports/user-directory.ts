import type { PasswordAuthenticator } from './password-authenticator.ts';

/** A directory user as the API shows it: never the password or its hash. */
export interface DirectoryUser {
  sub: string;
  username: string;
  claims: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewUser {
  username: string;
  password: string;
  /** The local subject identifier; random when absent. */
  sub?: string;
  claims?: Record<string, unknown>;
}

/** `claims` replaces every claim; `password` sets a new one. Absent members stay as they are. */
export interface UserChange {
  username?: string;
  password?: string;
  claims?: Record<string, unknown>;
}

/** Usernames compare as typed, after Unicode NFC (the same name typed twice is the same name). */
export const normaliseUsername = (username: string): string => username.normalize('NFC');

/** The subject or the username is taken. */
export class DirectoryConflict extends Error {}

/**
 * The built-in user directory of every tenant: usernames, password hashes
 * and OpenID Connect claims.
 *
 * Contract:
 * - Passwords are kept only as scrypt hashes (directory/password-hash.ts);
 *   no method returns a password or its hash.
 * - Usernames compare after `normaliseUsername`; a subject and a username are each
 *   unique in a tenant: `create` and `update` throw DirectoryConflict (and
 *   change nothing) when taken; claims are checked (ClaimsError).
 * - `create` with a `limit` (the plan's user quota; null: none) throws
 *   `quota_exceeded` (HttpError 403, shared/src/billing/count-quota.ts) and
 *   creates nothing when the tenant already has `limit` users; parallel
 *   creations never pass it together.
 * - `update` sets `updatedAt` to now (store's clock); null when no such user.
 * - `list` pages by `sub` (ascending, after `after`, at most 1000).
 * - `authenticate` answers null for an unknown username or a wrong password
 *   alike, in about the same time (a decoy hash for unknown names).
 * - `claims` is what is stored plus `updated_at` (seconds), null for an
 *   unknown subject.
 * - Identifiers with NUL or other C0 controls are unknown (never an error).
 * - Tenant isolation: a user is never found through another tenant's id.
 */
export interface UserDirectory extends PasswordAuthenticator {
  create(tid: string, user: NewUser, limit?: number | null): Promise<DirectoryUser>;
  get(tid: string, sub: string): Promise<DirectoryUser | null>;
  findByUsername(tid: string, username: string): Promise<DirectoryUser | null>;
  list(tid: string, options?: { limit?: number; after?: string }): Promise<DirectoryUser[]>;
  update(tid: string, sub: string, change: UserChange): Promise<DirectoryUser | null>;
  delete(tid: string, sub: string): Promise<boolean>;
  claims(tid: string, sub: string): Promise<Record<string, unknown> | null>;
}
