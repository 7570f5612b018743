import type { Policy } from '@tessera/data-plane/core/policy';
import { buildDataPlane, type DataPlane } from '@tessera/data-plane/server';
import { createRedis } from '@tessera/shared/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { eventually, uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { type ListedRoute, listRoutes } from './support/route-list.ts';

/**
 * Issue 12's acceptance: a policy added to the pipeline applies to every
 * endpoint. A data plane is built with one extra, test-only policy that
 * counts the requests it sees first and marks every answer
 * (`x-pipeline-test: 1`); then every route fastify lists (printRoutes, so a
 * route added later is covered without touching this file) is called in
 * several ways — with the tenant's API token and a harmless body, with a
 * body fastify cannot parse, without credentials, for an unknown tenant —
 * plus a path no route matches and answers that succeed. Every answer,
 * success or refusal, whichever layer refused it, must carry the mark; a
 * route registered on fastify beside the pipeline would not.
 */
const MARK = 'x-pipeline-test';

/** Values for route parameters: well-formed, naming nothing that exists (or the one key context there is). */
const PARAMS: Record<string, string> = {
  ctx: 'op',
  client_id: 'no-such-client',
  kid: 'no-such-key',
  sub: 'nobody',
  sid: 'no-such-session',
};
const withParams = (url: string) => url.replace(/:(\w+)/g, (_, name: string) => PARAMS[name] ?? 'x');
const hasBody = (method: string) => method === 'POST' || method === 'PUT' || method === 'PATCH';

describe('every route of the data plane goes through the pipeline', () => {
  let planes: InProcessPlanes;
  let dp: DataPlane;
  let subscriber: Redis;
  let tid: string;
  let apiToken: string;
  let client: { clientId: string; secret: string | null };
  let entered = 0;
  let answered = 0;

  /** The test-only policy: counts requests on the way in, marks every answer on the way out. */
  const marker: Policy = {
    name: 'pipelineTestMarker',
    before: () => {
      entered++;
    },
    after: (_x, answer) => {
      answered++;
      answer.headers[MARK] = '1';
    },
  };

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    tid = uniqueTid('pipe');
    ({ apiToken } = await planes.createTenant({ tid, name: tid, issuer: `${planes.dataPlaneUrl}/${tid}` }));
    client = await addClient(planes.s, tid, { grant_types: ['client_credentials'], scope: 'read' });
    subscriber = createRedis(planes.s.settings.redisUrl, planes.s.settings.redisPrefix);
    dp = buildDataPlane({
      settings: planes.s.settings,
      db: planes.s.db,
      redis: planes.s.redis,
      subscriber,
      keyStores: planes.s.keyStores,
      masterKey: planes.s.masterKey,
      extraPolicies: [marker],
    });
    await dp.sync.start();
    await dp.app.ready();
    await eventually(
      () => dp.index.primaryIssuerOf(tid),
      (issuer) => issuer !== undefined,
    );
  }, 60_000);
  afterAll(async () => {
    await dp?.app.close();
    subscriber?.disconnect();
    await planes?.close();
  });

  const inject = async (
    method: string,
    url: string,
    options: { headers?: Record<string, string>; body?: string } = {},
  ) => {
    const answer = await dp.app.inject({
      method: method as 'GET',
      url,
      headers: { host: 'localhost', 'tenant-id': tid, ...options.headers },
      ...(options.body !== undefined ? { payload: options.body } : {}),
    });
    return { method, url, status: answer.statusCode, marked: answer.headers[MARK] === '1', body: answer.body };
  };

  it('marks the answers of every listed route: with credentials, unparsable bodies, no credentials and an unknown tenant', async () => {
    const routes: ListedRoute[] = listRoutes(dp.app);
    // The table is the data plane's, not an empty list: the token endpoint, the front channel and the APIs are all there.
    expect(routes.length).toBeGreaterThan(40);
    for (const path of [
      '/token',
      '/token/introspect',
      '/login',
      '/userinfo',
      '/clients/:client_id',
      '/direct-authz/rest/v2',
      '/monitor/v1/metrics',
    ]) {
      expect(
        routes.map((r) => r.url),
        path,
      ).toContain(path);
    }
    const before = { entered, answered };
    const answers: Array<Awaited<ReturnType<typeof inject>> & { how: string }> = [];
    const call = async (how: string, method: string, url: string, options: Parameters<typeof inject>[2] = {}) =>
      answers.push({ how, ...(await inject(method, url, options)) });
    for (const { method, url: pattern } of routes) {
      const url = withParams(pattern);
      const json = (body: string) => ({ 'content-type': 'application/json' as const, body });
      // With the tenant's API token and a body no schema accepts as it is (nothing is created, rotated or deleted that exists).
      await call('credentials', method, url, {
        headers: {
          authorization: `Bearer ${apiToken}`,
          ...(hasBody(method) ? { 'content-type': 'application/json' } : {}),
        },
        ...(hasBody(method) ? { body: '{"pipeline_test":true}' } : {}),
      });
      // Without credentials: admission steps refuse on the headers.
      await call('no credentials', method, url);
      // A body fastify cannot parse: refused before the route's steps.
      if (hasBody(method)) {
        const { body, ...headers } = json('{"unterminated');
        await call('unparsable body', method, url, {
          headers: { ...headers, authorization: `Bearer ${apiToken}` },
          body,
        });
      }
      // A tenant that does not exist: refused by tenant resolution (node-wide routes serve anyway).
      await call('unknown tenant', method, url, { headers: { 'tenant-id': 'no-such-tenant' } });
    }
    await call('no route', 'GET', '/no-such-endpoint');
    await call('no route, unknown tenant', 'POST', '/no-such-endpoint', { headers: { 'tenant-id': 'no-such-tenant' } });
    await call('success', 'POST', '/token', {
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials&scope=read',
    });
    await call('success', 'GET', '/.well-known/openid-configuration');
    await call('success', 'GET', '/key-store/rest/v1/op', { headers: { authorization: `Bearer ${apiToken}` } });

    const unmarked = answers.filter((a) => !a.marked).map((a) => `${a.how}: ${a.method} ${a.url} → ${a.status}`);
    expect(unmarked).toEqual([]);
    // Every request entered the pipeline once and was answered once.
    expect(entered - before.entered).toBe(answers.length);
    expect(answered - before.answered).toBe(answers.length);
    // Successes and refusals of every kind were among them.
    const statuses = new Set(answers.map((a) => a.status));
    for (const status of [200, 400, 401, 404]) expect(statuses, `status ${status}`).toContain(status);
    expect(answers.filter((a) => a.how === 'success').map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.find((a) => a.how === 'unknown tenant' && a.url === '/token')?.body).toContain('invalid_tenant');
    expect(answers.find((a) => a.how === 'unparsable body' && a.url === '/token')?.status).toBe(400);
    expect(answers.find((a) => a.how === 'no credentials' && a.url === '/direct-authz/rest/v2')?.status).toBe(401);
  }, 120_000);
});
