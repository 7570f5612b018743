import { createServer, type Server, type Socket } from 'node:net';
import { buildControlPlane } from '@tessera/control-plane/server';
import { closeTemporalClient, createTemporalClient } from '@tessera/control-plane/temporal/client';
import { buildDataPlane } from '@tessera/data-plane/server';
import { createDb, type Db } from '@tessera/shared/db/database';
import { createRedis } from '@tessera/shared/redis';
import { loadSettings } from '@tessera/shared/settings';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestServices, type TestServices } from './support/env.ts';
import { testTemporalSettings } from './support/temporal.ts';

/**
 * The probes the Kubernetes manifests use (infra/k8s): liveness
 * (`/monitor/v1/live`) answers 200 whatever PostgreSQL and Redis do, so an
 * outage never restarts the pods; readiness (`/monitor/v1/healthcheck`)
 * answers 503 then, so they leave the Service. Both planes are built against
 * a PostgreSQL and a Redis that accept connections and never answer (a hung
 * dependency, the worst case for a probe).
 */
describe('liveness does not depend on PostgreSQL or Redis; readiness does', () => {
  let s: TestServices;
  let blackHole: Server;
  const sockets: Socket[] = [];
  let db: Db;
  let redis: Redis;
  let subscriber: Redis;
  const apps: FastifyInstance[] = [];
  const temporal = createTemporalClient(testTemporalSettings('http://127.0.0.1:9'));

  beforeAll(async () => {
    s = openTestServices();
    blackHole = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const { port } = blackHole.address() as { port: number };
    db = createDb(`postgres://tessera:x@127.0.0.1:${port}/tessera`, { max: 2 });
    redis = createRedis(`redis://127.0.0.1:${port}`, 'liveness-test:');
    subscriber = createRedis(`redis://127.0.0.1:${port}`, 'liveness-test:');
    for (const r of [redis, subscriber]) r.on('error', () => undefined);
    const settings = loadSettings(process.env);
    const dataPlane = buildDataPlane({
      settings,
      db,
      redis,
      subscriber,
      keyStores: s.keyStores,
      masterKey: s.masterKey,
    });
    const controlPlane = await buildControlPlane({
      db,
      redis,
      settings,
      keyStores: s.keyStores,
      masterKey: s.masterKey,
      temporal,
      temporalSettings: testTemporalSettings('http://127.0.0.1:9'),
    });
    apps.push(dataPlane.app, controlPlane);
  });
  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await closeTemporalClient(temporal);
    redis?.disconnect();
    subscriber?.disconnect();
    for (const socket of sockets) socket.destroy();
    blackHole?.close();
    await db?.destroy().catch(() => undefined);
    await s?.close();
  });

  for (const [plane, index] of [
    ['data plane', 0],
    ['control plane', 1],
  ] as const) {
    it(`${plane}: /monitor/v1/live 200 at once, /monitor/v1/healthcheck 503 naming postgres and redis`, async () => {
      const app = apps[index]!;
      const started = Date.now();
      const live = await app.inject({ method: 'GET', url: '/monitor/v1/live' });
      expect(live.statusCode).toBe(200);
      expect(live.json()).toEqual({ live: true });
      expect(live.headers['cache-control']).toBe('no-store');
      // Well under the checks' 2 s timeout: nothing waited for a dependency.
      expect(Date.now() - started).toBeLessThan(1500);

      const ready = await app.inject({ method: 'GET', url: '/monitor/v1/healthcheck' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ postgres: { healthy: false }, redis: { healthy: false } });
    });
  }
});
