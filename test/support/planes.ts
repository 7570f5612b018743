import type { Client } from '@temporalio/client';
import { parseTestFaults } from '@tessera/control-plane/activities/test-faults';
import type { BillingAccountPort } from '@tessera/control-plane/billing/billing-account-port';
import { stripeBillingAccounts } from '@tessera/control-plane/billing/stripe-billing-accounts';
import { createStripe } from '@tessera/control-plane/billing/stripe-client';
import { buildControlPlane } from '@tessera/control-plane/server';
import { closeTemporalClient, createTemporalClient } from '@tessera/control-plane/temporal/client';
import type { TemporalSettings } from '@tessera/control-plane/temporal/temporal-settings';
import { type RunningWorkers, startWorkers } from '@tessera/control-plane/temporal/worker';
import type { PasswordAuthenticator } from '@tessera/data-plane/oauth/oauth-services';
import { buildDataPlane, type DataPlane, type DataPlaneOptions } from '@tessera/data-plane/server';
import { createRedis } from '@tessera/shared/redis';
import type { Settings } from '@tessera/shared/settings';
import type { Clock } from '@tessera/shared/time/clock';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { eventually, openTestServices, type TestServices, uniqueTid } from './env.ts';
import { testTemporalSettings } from './temporal.ts';

/**
 * A control plane, a listening data-plane node and (unless `worker: false`)
 * a Temporal worker in this process, on the run's real services.
 */
export interface InProcessPlanes {
  s: TestServices;
  /** The data plane's URL (it always listens: provisioning smoke-checks it over HTTP). */
  dataPlaneUrl: string;
  cp: FastifyInstance;
  dp: DataPlane;
  temporal: Client;
  temporalSettings: TemporalSettings;
  /** The in-process worker, when there is one. */
  worker: RunningWorkers | undefined;
  /** Start (another) worker in this process on the same task queues; `close` stops it too. */
  startWorker(faults?: string): Promise<RunningWorkers>;
  /** Create a tenant through the control plane API (`?wait=true`: provisioned) and wait until the data plane serves it. */
  createTenant(
    body: Record<string, unknown>,
  ): Promise<{ tid: string; apiToken: string; tenant: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startInProcessPlanes(
  options: {
    listen?: boolean;
    passwordAuthenticator?: PasswordAuthenticator;
    /** false: no worker here (a test runs it as a child process). */
    worker?: boolean;
    /** Test faults for the in-process worker (see control-plane/src/activities/test-faults.ts). */
    faults?: string;
    timings?: Partial<TemporalSettings['timings']>;
    /** The data plane's clock (default: the system clock); a SkippingClock lets a test skip a wait. */
    clock?: Clock;
    /** Settings of both planes and the worker that differ from the run's (a Stripe proxy, a short billing grace). */
    settings?: Partial<Settings>;
    /** The data plane's access log (where its lines go, sampling). */
    accessLog?: DataPlaneOptions['accessLog'];
  } = {},
): Promise<InProcessPlanes> {
  const s = openTestServices({
    ...(options.settings?.hsm ? { hsm: options.settings.hsm } : {}),
    ...(options.settings?.redisPrefix ? { redisPrefix: options.settings.redisPrefix } : {}),
  });
  const overridden: Settings = { ...s.settings, ...options.settings };
  const billing: BillingAccountPort = stripeBillingAccounts(createStripe(overridden));
  const subscriber: Redis = createRedis(s.settings.redisUrl, s.settings.redisPrefix);
  const dp = buildDataPlane({
    settings: overridden,
    db: s.db,
    redis: s.redis,
    subscriber,
    keyStores: s.keyStores,
    masterKey: s.masterKey,
    ...(options.passwordAuthenticator ? { passwordAuthenticator: options.passwordAuthenticator } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.accessLog ? { accessLog: options.accessLog } : {}),
  });
  await dp.sync.start();
  const dataPlaneUrl = await dp.app.listen({ host: '127.0.0.1', port: 0 });
  const temporalSettings = testTemporalSettings(dataPlaneUrl, options.timings);
  const temporal = createTemporalClient(temporalSettings);
  const workers: RunningWorkers[] = [];
  const startWorker = async (faults?: string) => {
    const started = await startWorkers({
      settings: temporalSettings,
      deps: {
        db: s.db,
        redis: s.redis,
        redisPrefix: s.settings.redisPrefix,
        keyStores: s.keyStores,
        masterKey: s.masterKey,
        smokeCheckUrl: dataPlaneUrl,
        billing,
        pluginModules: overridden.pluginModules,
      },
      faults: parseTestFaults(faults),
      // The run's pool is small (5) and shared with both planes here: two activities at a time.
      maxConcurrentActivities: 2,
    });
    workers.push(started);
    return started;
  };
  const worker = options.worker === false ? undefined : await startWorker(options.faults);
  // The platform's issuer base is this data plane (tenant namespaces: `<dataPlaneUrl>/<tid>`).
  const settings = { ...overridden, issuerBaseUrls: [dataPlaneUrl] };
  const cp = await buildControlPlane({
    db: s.db,
    redis: s.redis,
    settings,
    keyStores: s.keyStores,
    masterKey: s.masterKey,
    temporal,
    temporalSettings,
    billing,
  });
  return {
    s,
    dataPlaneUrl,
    cp,
    dp,
    temporal,
    temporalSettings,
    worker,
    startWorker,
    async createTenant(body) {
      const res = await cp.inject({
        method: 'POST',
        url: '/tenants/rest/v1?wait=true',
        headers: { authorization: `Bearer ${s.operatorKey}` },
        payload: body,
      });
      if (res.statusCode !== 201) throw new Error(`tenant creation failed: ${res.statusCode} ${res.body}`);
      const tenant = res.json() as Record<string, unknown> & { tid: string; issuer: string; api_token: string };
      await eventually(
        () => dp.index.primaryIssuerOf(tenant.tid),
        (v) => v === tenant.issuer,
      );
      return { tid: tenant.tid, apiToken: tenant.api_token, tenant };
    },
    async close() {
      await Promise.all(workers.map((w) => w.shutdown()));
      await dp.app.close();
      await cp.close();
      await closeTemporalClient(temporal);
      subscriber.disconnect();
      await s.close();
    },
  };
}

/** A provisioned tenant with software keys at `https://<tid>.example.com`, made through the control plane. */
export async function softwareKeyTenant(
  planes: InProcessPlanes,
  base: string,
): Promise<{ tid: string; apiToken: string }> {
  const tid = uniqueTid(base);
  const { apiToken } = await planes.createTenant({
    tid,
    name: tid,
    issuer: `https://${tid}.example.com`,
    config: { keys: { backend: 'software' } },
  });
  return { tid, apiToken };
}
