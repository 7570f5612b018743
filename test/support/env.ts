import { randomBytes } from 'node:crypto';
import { MasterKey } from '@tessera/shared/crypto/master-key';
import { createDb, type Db } from '@tessera/shared/db/database';
import { KeyStores } from '@tessera/shared/keys/key-stores';
import { createRedis } from '@tessera/shared/redis';
import { loadSettings, type Settings } from '@tessera/shared/settings';
import type { Redis } from 'ioredis';

/** The services of this test run, as set up by infra/dev/test.ts. */
export interface TestServices {
  settings: Settings;
  db: Db;
  redis: Redis;
  masterKey: MasterKey;
  keyStores: KeyStores;
  operatorKey: string;
  /** The bearer token for `/monitor/v1/metrics` on both planes. */
  monitorToken: string;
  close(): Promise<void>;
}

export function requireTestRun(): void {
  if (!process.env.TESSERA_TEST_RUN_ID) {
    throw new Error(
      'These tests need the services npm test sets up: run `npm test` (optionally followed by a file filter).',
    );
  }
}

/** `hsm`: the HSM mode of this process's key stores (default: the run's, token-per-tenant). */
export function openTestServices(
  overrides: { hsm?: Settings['hsm']; redisPrefix?: Settings['redisPrefix'] } = {},
): TestServices {
  requireTestRun();
  const settings = { ...loadSettings(), ...overrides };
  const db = createDb(settings.databaseUrl, { max: 5 });
  const redis = createRedis(settings.redisUrl, settings.redisPrefix);
  const masterKey = MasterKey.fromEnv();
  return {
    settings,
    db,
    redis,
    masterKey,
    keyStores: new KeyStores(db, masterKey, { pkcs11Module: settings.pkcs11Module, hsm: settings.hsm }),
    operatorKey: process.env.TESSERA_OPERATOR_KEY!,
    monitorToken: process.env.TESSERA_MONITOR_TOKEN!,
    async close() {
      this.keyStores.close();
      await db.destroy();
      redis.disconnect();
    },
  };
}

/** A tenant id no other test (or run) uses. */
export const uniqueTid = (base: string): string => `${base}-${randomBytes(4).toString('hex')}`;

/** Poll until `probe` returns a value `accept` likes (for hooks, where expect.poll is not allowed). */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms (last value: ${JSON.stringify(value)})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
