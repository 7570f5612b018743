import { sql } from 'kysely';
import { isHash, secretContext } from '../clients/client-store.ts';
import type { Db } from '../db/database.ts';
import { pinContext } from '../keys/pkcs11-key-store.ts';
import { sealContext } from '../keys/software-key-store.ts';
import { context as tenantSecretContext } from '../keys/tenant-secrets.ts';
import { context as pluginSecretContext } from '../plugins/tenant-secret-store.ts';
import type { MasterKey } from './master-key.ts';

type Row = Record<string, string | null>;

/** Additional data of the admin console's sealed client secret (control-plane/src/console/console-settings.ts). */
export const consoleSecretContext = (id: string) => `console:client-secret:${id}`;

/** One table holding sealed values: its primary key, and each sealed column with the additional data it is bound to. */
interface SealedTable {
  table: string;
  key: readonly string[];
  columns: ReadonlyArray<{ name: string; context: (row: Row) => string; skip?: (value: string) => boolean }>;
  /** A deployment-wide table (no `tid` column): left out of a one-tenant run. */
  global?: true;
}

/** Every column sealed under the master key (the stores that write them export the contexts used here). */
export const SEALED_TABLES: readonly SealedTable[] = [
  {
    table: 'tenant_keys',
    key: ['tid', 'kid'],
    columns: [{ name: 'private_sealed', context: (r) => sealContext(r.tid!, r.kid!) }],
  },
  {
    table: 'tenant_hsm_tokens',
    key: ['tid'],
    columns: [
      { name: 'so_pin_sealed', context: (r) => pinContext(r.tid!, 'so') },
      { name: 'user_pin_sealed', context: (r) => pinContext(r.tid!, 'user') },
    ],
  },
  {
    table: 'tenant_secrets',
    key: ['tid', 'purpose'],
    columns: [{ name: 'sealed', context: (r) => tenantSecretContext(r.tid!, r.purpose as never) }],
  },
  {
    table: 'tenant_plugin_secrets',
    key: ['tid', 'name'],
    columns: [
      { name: 'sealed', context: (r) => pluginSecretContext(r.tid!, r.name!) },
      { name: 'previous_sealed', context: (r) => pluginSecretContext(r.tid!, r.name!) },
    ],
  },
  {
    table: 'clients',
    key: ['tid', 'client_id'],
    // A hashed secret (`scrypt$…`) shares the column and is not sealed.
    columns: [
      { name: 'secret_sealed', context: (r) => secretContext(r.tid!, r.client_id!), skip: isHash },
      { name: 'previous_secret_sealed', context: (r) => secretContext(r.tid!, r.client_id!), skip: isHash },
    ],
  },
  {
    table: 'console_settings',
    key: ['id'],
    global: true,
    columns: [{ name: 'client_secret_sealed', context: (r) => consoleSecretContext(r.id!) }],
  },
];

/** Per table: values re-sealed under the current key, already under it, and those no held key opens. */
export interface ResealCounts {
  resealed: number;
  current: number;
  unreadable: number;
}

export interface ResealOptions {
  /** Rows per transaction (default 500). */
  batchSize?: number;
  /** Only this tenant's rows (tests share the database with other tenants). */
  tid?: string;
}

/**
 * Re-seals every sealed value under the master key's current key, table by
 * table in primary-key order, one transaction per batch with the rows locked
 * (`for update`), so a concurrent write (a secret rotation) waits instead of
 * being overwritten. Values already under the current key are skipped, so
 * a second run (or a run after a crash) does only what is left. A value no
 * held key opens is counted and left as it is: the previous key must stay
 * until that count is zero.
 */
export async function resealAll(
  db: Db,
  masterKey: MasterKey,
  options: ResealOptions = {},
): Promise<Record<string, ResealCounts>> {
  const counts: Record<string, ResealCounts> = {};
  for (const table of SEALED_TABLES) {
    if (table.global && options.tid !== undefined) continue;
    counts[table.table] = await resealTable(db, masterKey, table, options);
  }
  return counts;
}

async function resealTable(db: Db, masterKey: MasterKey, spec: SealedTable, options: ResealOptions) {
  const counts: ResealCounts = { resealed: 0, current: 0, unreadable: 0 };
  const batchSize = options.batchSize ?? 500;
  const keyRefs = sql.join(spec.key.map((k) => sql.ref(k)));
  const columns = sql.join([...spec.key, ...spec.columns.map((c) => c.name)].map((c) => sql.ref(c)));
  let after: Row | undefined;
  for (;;) {
    const batch = await db.transaction().execute(async (trx) => {
      const conditions = [];
      if (options.tid !== undefined) conditions.push(sql`${sql.ref('tid')} = ${options.tid}`);
      if (after) conditions.push(sql`(${keyRefs}) > (${sql.join(spec.key.map((k) => sql`${after![k]}`))})`);
      const where = conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``;
      const { rows } = await sql<Row>`select ${columns} from ${sql.table(spec.table)} ${where}
        order by ${keyRefs} limit ${batchSize} for update`.execute(trx);
      for (const row of rows) {
        const changes: Record<string, string> = {};
        for (const column of spec.columns) {
          const value = row[column.name];
          if (!value || column.skip?.(value)) continue;
          if (masterKey.isCurrent(value)) {
            counts.current++;
            continue;
          }
          try {
            changes[column.name] = masterKey.seal(masterKey.open(value, column.context(row)), column.context(row));
            counts.resealed++;
          } catch {
            counts.unreadable++;
          }
        }
        const sets = Object.entries(changes).map(([name, value]) => sql`${sql.ref(name)} = ${value}`);
        if (sets.length === 0) continue;
        const match = sql.join(
          spec.key.map((k) => sql`${sql.ref(k)} = ${row[k]}`),
          sql` and `,
        );
        await sql`update ${sql.table(spec.table)} set ${sql.join(sets)} where ${match}`.execute(trx);
      }
      return rows;
    });
    if (batch.length < batchSize) return counts;
    after = batch[batch.length - 1];
  }
}
