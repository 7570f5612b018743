import type { Db } from '../db/database.ts';
import { isPrintableIdentifier } from '../text/printable-identifier.ts';

/** The largest page `listDirectoryUsers` returns. */
export const MAX_DIRECTORY_PAGE = 1000;

/** A built-in directory user as an administrator may read it: never the password hash. */
export interface DirectoryUserSummary {
  sub: string;
  username: string;
  claims: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Read-only access to the built-in user directory (`directory_users`, written
 * by the data plane's PostgresUserDirectory) for the control plane, which may
 * not import the data plane. Contract: never another tenant's user; the
 * password hash column is never selected; users ordered by `sub`, at most
 * `limit` (clamped to 1..MAX_DIRECTORY_PAGE), those after the `after` sub
 * when given (a keyset cursor: users added or removed between pages neither
 * repeat nor skip the others); `next` is the page's last sub when more users
 * follow, absent on the last page. With `username`, only the user of that
 * username (compared after NFC normalisation, as the directory stores
 * them): zero or one. An `after` or `username` no stored value can hold (a
 * control character) matches nothing.
 */
export async function listDirectoryUsers(
  db: Db,
  tid: string,
  options: { limit: number; after?: string; username?: string },
): Promise<{ users: DirectoryUserSummary[]; next?: string }> {
  const limit = Math.max(1, Math.min(Math.trunc(options.limit), MAX_DIRECTORY_PAGE));
  const { after, username } = options;
  const unholdable = (value: string | undefined) => value !== undefined && !isPrintableIdentifier(value);
  if (unholdable(after) || unholdable(username)) return { users: [] };
  let query = db
    .selectFrom('directory_users')
    .select(['sub', 'username', 'claims', 'created_at', 'updated_at'])
    .where('tid', '=', tid)
    .orderBy('sub')
    // One more than asked: whether another page follows.
    .limit(limit + 1);
  if (after !== undefined) query = query.where('sub', '>', after);
  // The data plane's normaliseUsername (data-plane/src/ports/user-directory.ts).
  if (username !== undefined) query = query.where('username', '=', username.normalize('NFC'));
  const rows = await query.execute();
  const users = rows.slice(0, limit).map((row) => ({
    sub: row.sub,
    username: row.username,
    claims: row.claims as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
  return rows.length > limit ? { users, next: users[users.length - 1]!.sub } : { users };
}
