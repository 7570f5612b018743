import { createDb } from '../db/database.ts';
import { loadSettings } from '../settings.ts';
import { MasterKey } from './master-key.ts';
import { resealAll } from './reseal.ts';

/**
 * The re-seal run (`entrypoint.sh reseal`, or `node --import tsx
 * shared/src/crypto/reseal-main.ts`): every sealed value in DATABASE_URL
 * moved to the current master key (`TESSERA_MASTER_KEY[_FILE]`), opened with
 * it or a previous one (`TESSERA_MASTER_KEY_PREVIOUS[_FILE]`), then exit.
 * `--tenant=TID` limits it to one tenant's rows. It prints the counts per table; exit 1 when a value opened with none of
 * the keys held (keep the previous key until that is resolved).
 * docs/deployment.md "Rotating the master key" has the whole procedure.
 */
const args = process.argv.slice(2);
const option = (name: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const unknown = args.filter((arg) => !/^--(batch-size|tenant)=/.test(arg));
const batchSize = Number(option('batch-size') ?? 500);
const tid = option('tenant');
if (unknown.length > 0 || !Number.isInteger(batchSize) || batchSize < 1 || tid === '') {
  console.error('reseal: usage: reseal [--batch-size=N] [--tenant=TID] (N a positive integer, default 500)');
  process.exit(64);
}
const { databaseUrl } = loadSettings();
const masterKey = MasterKey.fromEnv();
const db = createDb(databaseUrl, { max: 1 });
try {
  const tables = await resealAll(db, masterKey, { batchSize, ...(tid ? { tid } : {}) });
  const unreadable = Object.values(tables).reduce((sum, c) => sum + c.unreadable, 0);
  console.log(JSON.stringify({ reseal: unreadable === 0 ? 'done' : 'incomplete', kid: masterKey.kid, tables }));
  if (unreadable > 0) {
    console.error(`reseal: ${unreadable} value(s) open with none of the keys held; they were left as they were`);
    process.exitCode = 1;
  }
} catch (err) {
  console.error(`reseal: failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
