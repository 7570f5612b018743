import { MasterKey } from '@tessera/shared/crypto/master-key';
import { createDb } from '@tessera/shared/db/database';
import { outboundPolicy } from '@tessera/shared/http/outbound-policy';
import { KeyStores } from '@tessera/shared/keys/key-stores';
import { TenantSecretStore } from '@tessera/shared/plugins/tenant-secret-store';
import { createRedis } from '@tessera/shared/redis';
import { loadSettings } from '@tessera/shared/settings';
import { parseTestFaults } from './activities/test-faults.ts';
import { startAuditRetentionJob } from './audit/audit-retention-job.ts';
import { stripeBillingAccounts } from './billing/stripe-billing-accounts.ts';
import { createStripe } from './billing/stripe-client.ts';
import { startUsageJob } from './billing/usage-job.ts';
import { startEventJobs } from './events/event-jobs.ts';
import { closeTemporalClient, createTemporalClient } from './temporal/client.ts';
import { backfillKeyRotationSchedules } from './temporal/key-rotation-backfill.ts';
import { loadTemporalSettings } from './temporal/temporal-settings.ts';
import { startWorkers } from './temporal/worker.ts';
import { loadWorkerMetricsSettings, WorkerMetrics } from './temporal/worker-metrics.ts';

/** The control plane's Temporal worker process (`node --import tsx control-plane/src/worker-main.ts`). */
const settings = loadSettings();
const temporal = loadTemporalSettings();
// Each activity holds at most one connection for long and needs one more briefly: the pool stays ahead of them.
const maxActivities = Number(process.env.TESSERA_WORKER_MAX_ACTIVITIES || 4);
if (!Number.isInteger(maxActivities) || maxActivities < 1)
  throw new Error('TESSERA_WORKER_MAX_ACTIVITIES must be a positive integer');
// Two more for the event relay's transaction and the deliveries' secret reads.
const db = createDb(settings.databaseUrl, { max: maxActivities + 4 });
const redis = createRedis(settings.redisUrl, settings.redisPrefix);
const masterKey = MasterKey.fromEnv();
const keyStores = new KeyStores(db, masterKey, { pkcs11Module: settings.pkcs11Module, hsm: settings.hsm });
// No Stripe key and no mock: billing is off (docs/billing.md), so nothing calls Stripe.
const stripe = settings.stripe.enabled ? createStripe(settings) : null;
if (!stripe)
  console.log(JSON.stringify({ billing: 'off', reason: 'neither STRIPE_SECRET_KEY nor STRIPE_API_BASE is set' }));
// How often the usage job aggregates and reports (TESSERA_USAGE_JOB_MS, default a minute).
const usageEveryMs = Number(process.env.TESSERA_USAGE_JOB_MS || 60_000);
if (!Number.isInteger(usageEveryMs) || usageEveryMs < 100)
  throw new Error('TESSERA_USAGE_JOB_MS must be a whole number of milliseconds, at least 100');
// How often expired audit records are purged (TESSERA_AUDIT_RETENTION_JOB_MS, default an hour).
const auditRetentionEveryMs = Number(process.env.TESSERA_AUDIT_RETENTION_JOB_MS || 3_600_000);
if (!Number.isInteger(auditRetentionEveryMs) || auditRetentionEveryMs < 100)
  throw new Error('TESSERA_AUDIT_RETENTION_JOB_MS must be a whole number of milliseconds, at least 100');

// Metrics on TESSERA_WORKER_METRICS_PORT (ours and the Temporal SDK's, temporal/worker-metrics.ts); none when unset.
const metricsSettings = loadWorkerMetricsSettings();
const metrics = metricsSettings ? new WorkerMetrics() : undefined;
const metricsServer = metricsSettings ? await metrics!.listen(metricsSettings) : undefined;

const workers = await startWorkers({
  settings: temporal,
  deps: {
    db,
    redis,
    redisPrefix: settings.redisPrefix,
    keyStores,
    masterKey,
    smokeCheckUrl: temporal.smokeCheckUrl,
    billing: stripe ? stripeBillingAccounts(stripe) : null,
    pluginModules: settings.pluginModules,
  },
  faults: parseTestFaults(process.env.TESSERA_TEST_FAULTS),
  maxConcurrentActivities: maxActivities,
  ...(metrics
    ? { metrics: { interceptors: metrics.interceptors(), temporalPrometheusAddress: metricsSettings!.temporalAddress } }
    : {}),
});
// Usage: counters in Redis → the usage table → Stripe's Billing Meters (billing/usage-job.ts).
const usageJob = await startUsageJob({
  db,
  redis,
  redisUrl: settings.redisUrl,
  redisPrefix: settings.redisPrefix,
  meterEvents: stripe?.billing.meterEvents ?? null,
  everyMs: usageEveryMs,
  log: (line) => (line.usageJob === 'completed' ? undefined : console.error(JSON.stringify(line))),
});
// Events: the outboxes relayed to the audit log and the `events` queue, and their deliveries (docs/events.md).
const eventJobs = await startEventJobs({
  db,
  redis,
  redisUrl: settings.redisUrl,
  redisPrefix: settings.redisPrefix,
  secrets: new TenantSecretStore(db, masterKey),
  // Receivers are tenants' URLs: public addresses only unless the deployment allows private ones (and then loopback http).
  policy: outboundPolicy({ allowPrivate: settings.clientFetchPrivate }),
  allowLoopbackHttp: settings.clientFetchPrivate,
  log: (line) => console.error(JSON.stringify(line)),
});
metrics?.watchEventQueue(eventJobs.queue);
// Audit retention: records older than their tenant's plan keeps them are deleted in batches (docs/audit.md).
const auditRetentionJob = await startAuditRetentionJob({
  db,
  redisUrl: settings.redisUrl,
  redisPrefix: settings.redisPrefix,
  everyMs: auditRetentionEveryMs,
  log: (line) => (line.auditRetentionJob === 'completed' ? undefined : console.error(JSON.stringify(line))),
});
console.log(JSON.stringify({ worker: 'ready', taskQueuePrefix: temporal.taskQueuePrefix, address: temporal.address }));

// Active tenants without a key rotation schedule (older than schedules, or a Temporal that lost its state) get one,
// and a schedule whose interval missed a config change is corrected, in the background.
const scheduler = createTemporalClient(temporal);
backfillKeyRotationSchedules(scheduler, db, { taskQueuePrefix: temporal.taskQueuePrefix, timings: temporal.timings })
  .then(
    (tids) => tids.length > 0 && console.log(JSON.stringify({ keyRotationSchedulesCreatedOrCorrected: tids.length })),
    (err: unknown) =>
      console.error(
        `[worker] key rotation schedule backfill failed: ${err instanceof Error ? err.message : String(err)}`,
      ),
  )
  .finally(() => void closeTemporalClient(scheduler).catch(() => undefined));

let closing = false;
async function close(code: number): Promise<void> {
  if (closing) return;
  closing = true;
  await Promise.all([workers.shutdown(), usageJob.close(), eventJobs.close(), auditRetentionJob.close()]).catch(
    () => undefined,
  );
  metricsServer?.close();
  await Promise.all([db.destroy(), redis.quit()]).catch(() => undefined);
  keyStores.close();
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void close(0));
workers.done.then(
  () => void close(0),
  (err: unknown) => {
    console.error(`[worker] stopped: ${err instanceof Error ? err.message : String(err)}`);
    void close(1);
  },
);
