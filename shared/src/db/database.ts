import { userInfo } from 'node:os';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

/**
 * Connection settings for a URL. A URL without a user name means "the OS
 * user", as with psql; node-postgres would otherwise fail when USER is unset.
 */
export function pgConfig(databaseUrl: string): pg.ClientConfig {
  const url = new URL(databaseUrl);
  if (!url.username) url.username = encodeURIComponent(process.env.PGUSER ?? userInfo().username);
  return { connectionString: url.toString() };
}

export function createDb(databaseUrl: string, options: { max?: number } = {}): Db {
  const pool = new pg.Pool({ ...pgConfig(databaseUrl), max: options.max ?? 10 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
