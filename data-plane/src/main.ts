import { MasterKey } from '@tessera/shared/crypto/master-key';
import { createDb } from '@tessera/shared/db/database';
import { KeyStores } from '@tessera/shared/keys/key-stores';
import { startTracing } from '@tessera/shared/observability/tracing';
import { createRedis } from '@tessera/shared/redis';
import { loadSettings } from '@tessera/shared/settings';
import { buildDataPlane } from './server.ts';

/** Start one data-plane node; SIGINT/SIGTERM close it cleanly. */
// Traces only where OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/observability.md); before anything is built.
await startTracing('tessera-data-plane');
const settings = loadSettings();
const db = createDb(settings.databaseUrl);
const redis = createRedis(settings.redisUrl, settings.redisPrefix);
const subscriber = createRedis(settings.redisUrl, settings.redisPrefix);
const masterKey = MasterKey.fromEnv();
const keyStores = new KeyStores(db, masterKey, { pkcs11Module: settings.pkcs11Module, hsm: settings.hsm });
const { app, sync } = buildDataPlane({ settings, db, redis, subscriber, keyStores, masterKey });

await sync.start();
await app.listen({ host: settings.host, port: settings.dataPlanePort });

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    void app
      .close()
      .then(() => Promise.all([db.destroy(), redis.quit(), subscriber.quit()]))
      .then(() => keyStores.close())
      .finally(() => process.exit(0));
  });
}
