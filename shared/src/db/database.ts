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

/** SQL `date` (OID 1082) stays the "YYYY-MM-DD" it is: node-postgres would make it local midnight, which shifts days across time zones. */
const DATE_OID = 1082;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === DATE_OID ? (value: string) => value : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function createDb(databaseUrl: string, options: { max?: number } = {}): Db {
  const pool = new pg.Pool({ ...pgConfig(databaseUrl), types, max: options.max ?? 10 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
