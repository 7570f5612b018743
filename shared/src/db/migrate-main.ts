import { loadSettings } from '../settings.ts';
import { createDb } from './database.ts';
import { ensureDatabase, migrateToLatest } from './migrate.ts';

/**
 * The production migration run (`entrypoint.sh migrate`): DATABASE_URL to the
 * latest schema, then exit; run it before starting new planes on an upgrade.
 * It creates the database only when asked (`--create-database`): a managed
 * PostgreSQL usually hands out a database and no right to create one.
 * (infra/dev/migrate.ts is the development counterpart, which always creates.)
 */
const createDatabase = process.argv.includes('--create-database');
const unknown = process.argv.slice(2).filter((arg) => arg !== '--create-database');
if (unknown.length > 0) {
  console.error(`migrate: unknown argument ${unknown.join(' ')} (only --create-database)`);
  process.exit(64);
}
const { databaseUrl } = loadSettings();
if (createDatabase && (await ensureDatabase(databaseUrl))) console.log(JSON.stringify({ migrate: 'database created' }));
const db = createDb(databaseUrl, { max: 1 });
try {
  const applied = await migrateToLatest(db);
  console.log(JSON.stringify({ migrate: 'done', applied }));
} catch (err) {
  console.error(`migrate: failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
