import { MasterKey } from '@tessera/shared/crypto/master-key';
import { createDb } from '@tessera/shared/db/database';
import { KeyStores } from '@tessera/shared/keys/key-stores';
import { startTracing } from '@tessera/shared/observability/tracing';
import { createRedis } from '@tessera/shared/redis';
import { loadSettings } from '@tessera/shared/settings';
import { buildControlPlane } from './server.ts';
import { closeTemporalClient, createTemporalClient } from './temporal/client.ts';
import { loadTemporalSettings } from './temporal/temporal-settings.ts';

// Traces only where OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/observability.md); before anything is built.
await startTracing('tessera-control-plane');
const settings = loadSettings();
if (settings.operatorKeySha256.length === 0) {
  console.error('TESSERA_OPERATOR_KEY_SHA256 is not set: the control plane would refuse every call.');
  process.exit(1);
}
const db = createDb(settings.databaseUrl);
const redis = createRedis(settings.redisUrl, settings.redisPrefix);
const masterKey = MasterKey.fromEnv();
const keyStores = new KeyStores(db, masterKey, { pkcs11Module: settings.pkcs11Module, hsm: settings.hsm });
const temporalSettings = loadTemporalSettings();
const temporal = createTemporalClient(temporalSettings);
const app = await buildControlPlane({ db, redis, settings, keyStores, masterKey, temporal, temporalSettings });
await app.listen({ host: settings.host, port: settings.controlPlanePort });

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    void app
      .close()
      .then(() => Promise.all([db.destroy(), redis.quit(), closeTemporalClient(temporal)]))
      .then(() => keyStores.close())
      .finally(() => process.exit(0));
  });
}
