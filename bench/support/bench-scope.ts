import { randomBytes } from 'node:crypto';
import { MasterKey } from '@tessera/shared/crypto/master-key';
import { createDb, type Db } from '@tessera/shared/db/database';
import { dropDatabase } from '@tessera/shared/db/migrate';
import { loadSettings, type Settings } from '@tessera/shared/settings';
import { prepareDatabase } from '../../infra/dev/migrate.ts';
import { loadPreparedEnv } from '../../infra/dev/services.ts';
import { clearRedisPrefix } from './bench-env.ts';

/**
 * What one bench run owns, so it never touches the developer's data and
 * leaves nothing behind: a database `tessera_bench_<name>_<run>`, a Redis
 * prefix and a master key. `remove` drops and clears them.
 */
export class BenchScope {
  readonly runId = randomBytes(4).toString('hex');
  readonly settings: Settings;
  readonly databaseUrl: string;
  readonly redisPrefix: string;
  readonly masterKeyEncoded = MasterKey.generateEncoded();
  readonly masterKey = MasterKey.fromEnv({ TESSERA_MASTER_KEY: this.masterKeyEncoded });
  #db: Db | undefined;
  #databaseCreated = false;

  /** `name`: the bench's, in the database name and Redis prefix (`token`, `plugins`). */
  constructor(name: string) {
    loadPreparedEnv();
    this.settings = loadSettings();
    this.databaseUrl = Object.assign(new URL(this.settings.databaseUrl), {
      pathname: `/tessera_bench_${name}_${this.runId}`,
    }).toString();
    this.redisPrefix = `tessera-bench-${name}-${this.runId}:`;
  }

  /** Create and migrate the database; a connection to it. */
  async createDatabase(): Promise<Db> {
    this.#databaseCreated = true; // from here on the database may exist: drop it in any case
    await prepareDatabase(this.databaseUrl);
    this.#db = createDb(this.databaseUrl, { max: 4 });
    return this.#db;
  }

  /** The environment a data-plane node of this scope runs with. */
  nodeEnv(): NodeJS.ProcessEnv {
    return {
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.settings.redisUrl,
      REDIS_PREFIX: this.redisPrefix,
      TESSERA_MASTER_KEY: this.masterKeyEncoded,
    };
  }

  /** Close, drop the database and clear the Redis prefix (failures are logged, not thrown). */
  async remove(log: (message: string) => void): Promise<void> {
    await this.#db?.destroy();
    this.#db = undefined;
    if (this.#databaseCreated)
      await dropDatabase(this.databaseUrl).catch((err: unknown) =>
        log(`could not drop ${this.databaseUrl}: ${String(err)}`),
      );
    this.#databaseCreated = false;
    const removed = await clearRedisPrefix(this.settings.redisUrl, this.redisPrefix, log);
    log(`removed ${removed} Redis keys under ${this.redisPrefix}`);
  }
}
