import { type Migration, type MigrationProvider, Migrator } from 'kysely';
import pg from 'pg';
import { type Db, pgConfig } from './database.ts';
import * as m0001 from './migrations/0001-initial.ts';
import * as m0002 from './migrations/0002-oauth-core.ts';
import * as m0003 from './migrations/0003-user-directory.ts';
import * as m0004 from './migrations/0004-tenant-domains.ts';
import * as m0005 from './migrations/0005-billing.ts';
import * as m0006 from './migrations/0006-usage-report-outbox.ts';
import * as m0007 from './migrations/0007-unbuilt-grants.ts';
import * as m0008 from './migrations/0008-tenant-secrets.ts';
import * as m0009 from './migrations/0009-audit-log.ts';
import * as m0010 from './migrations/0010-event-outbox.ts';
import * as m0011 from './migrations/0011-resource-servers.ts';
import * as m0012 from './migrations/0012-hsm-modes.ts';
import * as m0013 from './migrations/0013-admin-console.ts';

/** Migrations are listed here in order; the name is the file name. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-oauth-core': m0002,
  '0003-user-directory': m0003,
  '0004-tenant-domains': m0004,
  '0005-billing': m0005,
  '0006-usage-report-outbox': m0006,
  '0007-unbuilt-grants': m0007,
  '0008-tenant-secrets': m0008,
  '0009-audit-log': m0009,
  '0010-event-outbox': m0010,
  '0011-resource-servers': m0011,
  '0012-hsm-modes': m0012,
  '0013-admin-console': m0013,
};

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

function splitDatabaseUrl(databaseUrl: string): { adminUrl: string; name: string } {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`unsupported database name "${name}"`);
  url.pathname = '/postgres';
  return { adminUrl: url.toString(), name };
}

/** Create the database named in the URL when it does not exist (connecting to `postgres`). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const { adminUrl, name } = splitDatabaseUrl(databaseUrl);
  const client = new pg.Client(pgConfig(adminUrl));
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`create database "${name}"`);
    return true;
  } finally {
    await client.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const { adminUrl, name } = splitDatabaseUrl(databaseUrl);
  const client = new pg.Client(pgConfig(adminUrl));
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}
