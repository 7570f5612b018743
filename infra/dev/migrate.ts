import { createDb } from '@tessera/shared/db/database';
import { ensureDatabase, migrateToLatest } from '@tessera/shared/db/migrate';
import { loadSettings } from '@tessera/shared/settings';

/** Create the database if needed and migrate it to the latest schema. */
export async function prepareDatabase(databaseUrl: string): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  const db = createDb(databaseUrl, { max: 1 });
  try {
    return await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const applied = await prepareDatabase(loadSettings().databaseUrl);
  console.log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database is up to date');
}
