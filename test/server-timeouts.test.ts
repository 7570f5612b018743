import { connect, type Socket } from 'node:net';
import { buildControlPlane } from '@tessera/control-plane/server';
import { buildDataPlane, type DataPlane } from '@tessera/data-plane/server';
import type { HttpLimits } from '@tessera/shared/http/server-limits';
import { createRedis } from '@tessera/shared/redis';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

/** A raw connection that records what it received and when the server closed it. */
class Watched {
  readonly socket: Socket;
  received = '';
  closedAt: number | undefined;
  readonly openedAt = Date.now();

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (chunk: Buffer) => (this.received += chunk.toString('latin1')));
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => (this.closedAt = Date.now()));
  }

  async ready(): Promise<this> {
    if (this.socket.connecting) await new Promise((resolve) => this.socket.once('connect', resolve));
    return this;
  }

  /** Milliseconds from opening until the server closed the connection; throws past `withinMs`. */
  async closedWithin(withinMs: number): Promise<number> {
    const deadline = this.openedAt + withinMs;
    while (this.closedAt === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (this.closedAt === undefined) {
      this.socket.destroy();
      throw new Error(`still open after ${withinMs} ms; received ${JSON.stringify(this.received)}`);
    }
    return this.closedAt - this.openedAt;
  }
}

/** A request whose head is complete and promises a body that never comes. */
const bodyNeverArrives = (path: string, headers: string[]) =>
  [
    `POST ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    ...headers,
    'Content-Type: application/x-www-form-urlencoded',
    'Content-Length: 100',
    '',
    '',
  ].join('\r\n');

/**
 * Finding 9: a request whose body (or head) never arrives used to hold its
 * connection forever (requestTimeout 0, no header deadline). Both planes now
 * answer 408 (or close) within the configured deadlines, shortened here.
 */
describe('request deadlines and the connection limit', () => {
  let planes: InProcessPlanes;
  let tid: string;
  const dataPlanes: Array<{ dp: DataPlane; subscriber: Redis; port: number }> = [];
  let cp: FastifyInstance;
  let cpPort: number;
  const dataLimits: HttpLimits = {
    headersTimeoutMs: 400,
    requestTimeoutMs: 800,
    idleTimeoutMs: 5000,
    maxConnections: 1000,
  };
  const controlLimits: HttpLimits = {
    headersTimeoutMs: 1500,
    requestTimeoutMs: 1500,
    idleTimeoutMs: 5000,
    maxConnections: 3,
  };

  const startDataPlane = async () => {
    const subscriber = createRedis(planes.s.settings.redisUrl, planes.s.settings.redisPrefix);
    const dp = buildDataPlane({
      settings: { ...planes.s.settings, http: dataLimits },
      db: planes.s.db,
      redis: planes.s.redis,
      subscriber,
      keyStores: planes.s.keyStores,
      masterKey: planes.s.masterKey,
    });
    await dp.sync.start();
    const port = Number(new URL(await dp.app.listen({ host: '127.0.0.1', port: 0 })).port);
    dataPlanes.push({ dp, subscriber, port });
    return port;
  };

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    tid = uniqueTid('deadline');
    await planes.createTenant({ tid, name: tid, issuer: `https://${tid}.example.com` });
    cp = await buildControlPlane({
      db: planes.s.db,
      redis: planes.s.redis,
      settings: { ...planes.s.settings, http: controlLimits },
      keyStores: planes.s.keyStores,
      masterKey: planes.s.masterKey,
      temporal: planes.temporal,
      temporalSettings: planes.temporalSettings,
    });
    cpPort = Number(new URL(await cp.listen({ host: '127.0.0.1', port: 0 })).port);
  }, 60_000);
  afterAll(async () => {
    for (const { dp, subscriber } of dataPlanes) {
      await dp.app.close();
      subscriber.disconnect();
    }
    await cp?.close();
    await planes?.close();
  });

  it('data plane: a body that never arrives gets 408 and the connection closes at the request deadline', async () => {
    const port = await startDataPlane();
    for (const path of ['/token', '/par', '/login']) {
      const connection = await new Watched(port).ready();
      connection.socket.write(bodyNeverArrives(path, [`Tenant-ID: ${tid}`]));
      const ms = await connection.closedWithin(dataLimits.requestTimeoutMs + 1500);
      expect(ms, path).toBeGreaterThanOrEqual(dataLimits.requestTimeoutMs - 50);
      expect(connection.received, path).toMatch(/^HTTP\/1\.1 408 /);
    }
  });

  it('data plane: a head that never ends, or no bytes at all, is cut off at the header deadline', async () => {
    const port = await startDataPlane();
    const silent = await new Watched(port).ready();
    const partial = await new Watched(port).ready();
    partial.socket.write(`GET /jwks.json HTTP/1.1\r\nTenant-ID: ${tid}\r\n`);
    expect(await silent.closedWithin(dataLimits.headersTimeoutMs + 1500)).toBeGreaterThanOrEqual(
      dataLimits.headersTimeoutMs - 50,
    );
    expect(await partial.closedWithin(dataLimits.headersTimeoutMs + 1500)).toBeGreaterThanOrEqual(
      dataLimits.headersTimeoutMs - 50,
    );
  });

  it('control plane: a body that never arrives gets 408; connections past the limit are closed unanswered', async () => {
    const stalled = await new Watched(cpPort).ready();
    stalled.socket.write(
      bodyNeverArrives('/tenants/rest/v1', [`Authorization: Bearer ${planes.s.operatorKey}`]).replace(
        'x-www-form-urlencoded',
        'json',
      ),
    );
    const others = [await new Watched(cpPort).ready(), await new Watched(cpPort).ready()];
    await expect.poll(() => new Promise<number>((resolve) => cp.server.getConnections((_e, n) => resolve(n)))).toBe(3);
    const extra = await new Watched(cpPort).ready();
    expect(await extra.closedWithin(1000)).toBeLessThan(1000);
    expect(extra.received).toBe('');
    expect(await stalled.closedWithin(controlLimits.requestTimeoutMs + 1500)).toBeGreaterThanOrEqual(
      controlLimits.requestTimeoutMs - 50,
    );
    expect(stalled.received).toMatch(/^HTTP\/1\.1 408 /);
    for (const other of others) other.socket.destroy();
  });
});
