import { randomBytes } from 'node:crypto';
import { buildControlPlane } from '@tessera/control-plane/server';
import { closeTemporalClient, createTemporalClient } from '@tessera/control-plane/temporal/client';
import { buildDataPlane } from '@tessera/data-plane/server';
import { sha256Hex } from '@tessera/shared/http/api-token';
import { createRedis } from '@tessera/shared/redis';
import { loadSettings } from '@tessera/shared/settings';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestServices, type TestServices } from './support/env.ts';
import { testTemporalSettings } from './support/temporal.ts';

/**
 * `/monitor/v1/metrics` fails closed on both planes: it names every tenant,
 * so it needs the monitoring token unless MONITOR_METRICS=open says
 * otherwise. Each plane is built from the environment as its process would
 * read it, with only the monitoring settings changed.
 */
describe('metrics: monitoring token required unless explicitly opened', () => {
  let s: TestServices;
  let subscriber: Redis;
  const apps: FastifyInstance[] = [];
  const temporal = createTemporalClient(testTemporalSettings('http://127.0.0.1:9'));
  const monitorToken = randomBytes(32).toString('base64url');
  const settingsWith = (env: Record<string, string>) =>
    loadSettings({ ...process.env, MONITOR_API_TOKEN_SHA256: '', MONITOR_METRICS: '', ...env });
  const dataPlane = (env: Record<string, string>) => {
    const { app } = buildDataPlane({
      settings: settingsWith(env),
      db: s.db,
      redis: s.redis,
      subscriber,
      keyStores: s.keyStores,
      masterKey: s.masterKey,
    });
    apps.push(app);
    return app;
  };
  const controlPlane = async (env: Record<string, string>) => {
    const app = await buildControlPlane({
      db: s.db,
      redis: s.redis,
      settings: settingsWith(env),
      keyStores: s.keyStores,
      masterKey: s.masterKey,
      temporal,
      temporalSettings: testTemporalSettings('http://127.0.0.1:9'),
    });
    apps.push(app);
    return app;
  };
  const get = (app: FastifyInstance, url: string, token?: string) =>
    app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(() => {
    s = openTestServices();
    subscriber = createRedis(s.settings.redisUrl, s.settings.redisPrefix);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await closeTemporalClient(temporal);
    subscriber?.disconnect();
    await s?.close();
  });

  it('data plane with no monitoring token configured: 401 for everyone, the health check stays public', async () => {
    const app = dataPlane({});
    const none = await get(app, '/monitor/v1/metrics');
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({
      error: 'missing_token',
      error_description: 'A valid monitoring bearer token is required',
    });
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.body).not.toContain('tessera_data_plane_http_requests_total');
    const guessed = await get(app, '/monitor/v1/metrics', randomBytes(32).toString('base64url'));
    expect(guessed.statusCode).toBe(401);
    expect(guessed.json().error).toBe('invalid_token');
    expect((await get(app, '/monitor/v1/metrics', s.operatorKey)).statusCode).toBe(401);
    expect((await get(app, '/monitor/v1/healthcheck')).statusCode).toBe(200);
  });

  it('data plane with MONITOR_METRICS=open: metrics without a token', async () => {
    const res = await get(dataPlane({ MONITOR_METRICS: 'open' }), '/monitor/v1/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('tessera_data_plane_');
  });

  it('data plane with a monitoring token: that token and nothing else', async () => {
    const app = dataPlane({ MONITOR_API_TOKEN_SHA256: sha256Hex(monitorToken) });
    expect((await get(app, '/monitor/v1/metrics')).statusCode).toBe(401);
    const ok = await get(app, '/monitor/v1/metrics', monitorToken);
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('tessera_data_plane_');
  });

  it('control plane: the monitoring token or the operator key; the health check stays public', async () => {
    const app = await controlPlane({ MONITOR_API_TOKEN_SHA256: sha256Hex(monitorToken) });
    const viaMonitor = await get(app, '/monitor/v1/metrics', monitorToken);
    expect(viaMonitor.statusCode).toBe(200);
    expect(viaMonitor.body).toContain('tessera_control_plane_');
    expect((await get(app, '/monitor/v1/metrics', s.operatorKey)).statusCode).toBe(200);
    const none = await get(app, '/monitor/v1/metrics');
    expect(none.statusCode).toBe(401);
    expect(none.json().error).toBe('missing_token');
    expect((await get(app, '/monitor/v1/metrics', randomBytes(32).toString('base64url'))).statusCode).toBe(401);
    // The monitoring token opens metrics only, not the API.
    expect((await get(app, '/tenants/rest/v1', monitorToken)).statusCode).toBe(401);
    expect((await get(app, '/monitor/v1/healthcheck')).statusCode).toBe(200);
  });

  it('refuses an unknown MONITOR_METRICS value at start', () => {
    expect(() => settingsWith({ MONITOR_METRICS: 'yes' })).toThrow(/MONITOR_METRICS must be one of open, token/);
  });
});
