import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { createRedis } from '@tessera/shared/redis';
import { buildControlPlane } from '@tessera/control-plane/server';
import { buildDataPlane, type DataPlane } from '@tessera/data-plane/server';
import type { PasswordAuthenticator } from '@tessera/data-plane/oauth/oauth-services';
import { eventually, openTestServices, type TestServices } from './env.ts';

/** A control plane and a data-plane node in this process, on the run's real services. */
export interface InProcessPlanes {
  s: TestServices;
  /** The data plane's URL when started with `listen: true`. */
  dataPlaneUrl: string;
  cp: FastifyInstance;
  dp: DataPlane;
  /** Create a tenant through the control plane API and wait until the data plane serves it. */
  createTenant(body: Record<string, unknown>): Promise<{ tid: string; apiToken: string; tenant: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startInProcessPlanes(options: { listen?: boolean; passwordAuthenticator?: PasswordAuthenticator } = {}): Promise<InProcessPlanes> {
  const s = openTestServices();
  const cp = await buildControlPlane({ db: s.db, redis: s.redis, settings: s.settings, keyStores: s.keyStores, masterKey: s.masterKey });
  const subscriber: Redis = createRedis(s.settings.redisUrl, s.settings.redisPrefix);
  const dp = buildDataPlane({
    settings: s.settings,
    db: s.db,
    redis: s.redis,
    subscriber,
    keyStores: s.keyStores,
    masterKey: s.masterKey,
    ...(options.passwordAuthenticator ? { passwordAuthenticator: options.passwordAuthenticator } : {}),
  });
  await dp.sync.start();
  const dataPlaneUrl = options.listen ? await dp.app.listen({ host: '127.0.0.1', port: 0 }) : '';
  return {
    s,
    dataPlaneUrl,
    cp,
    dp,
    async createTenant(body) {
      const res = await cp.inject({ method: 'POST', url: '/tenants/rest/v1', headers: { authorization: `Bearer ${s.operatorKey}` }, payload: body });
      if (res.statusCode !== 201) throw new Error(`tenant creation failed: ${res.statusCode} ${res.body}`);
      const tenant = res.json() as Record<string, unknown> & { tid: string; issuer: string; api_token: string };
      await eventually(() => dp.index.primaryIssuerOf(tenant.tid), (v) => v === tenant.issuer);
      return { tid: tenant.tid, apiToken: tenant.api_token, tenant };
    },
    async close() {
      await dp.app.close();
      await cp.close();
      subscriber.disconnect();
      await s.close();
    },
  };
}
