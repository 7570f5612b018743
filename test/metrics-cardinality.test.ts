import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { freePort, type RunningProcess, startWorkerProcess } from './support/processes.ts';
import { temporalEnv } from './support/temporal.ts';

/** Our metrics (not Node's process metrics, which may grow a series on their own, e.g. a new GC kind). */
const OURS =
  /^(tessera_(data_plane_http|control_plane_http|tokens_issued|sign_ins|consents|key_sign|cache_requests|tenant_change)\w*)/;

/** Every series (name and labels) of ours in a Prometheus text exposition. */
function seriesOf(text: string): Set<string> {
  const series = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !OURS.test(line)) continue;
    series.add(line.slice(0, line.lastIndexOf(' ')));
  }
  return series;
}

/**
 * Metrics have bounded label sets (docs/observability.md, "Metrics"): a
 * made-up tenant id or path creates no series on either plane; a real
 * tenant's requests are counted under its id, with the business metrics
 * (tokens by grant, cache hits). The worker process serves its metrics
 * (our activities, the event queue, the Temporal SDK's runtime metrics) on
 * TESSERA_WORKER_METRICS_PORT.
 */
describe('metrics: bounded labels, business metrics, the worker', () => {
  let planes: InProcessPlanes;
  let worker: RunningProcess;
  let workerMetricsUrl: string;
  let tid: string;
  let issuer: string;

  const scrapeDataPlane = async () => {
    const res = await fetch(`${planes.dataPlaneUrl}/monitor/v1/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  };
  const scrapeControlPlane = async () => {
    const res = await planes.cp.inject({
      method: 'GET',
      url: '/monitor/v1/metrics',
      headers: { authorization: `Bearer ${planes.s.operatorKey}` },
    });
    expect(res.statusCode).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    // The worker is a child process here, with its metrics endpoint; the planes run in this process.
    planes = await startInProcessPlanes({ worker: false, settings: { monitorMetricsOpen: true } });
    const port = await freePort();
    const sdkPort = await freePort();
    workerMetricsUrl = `http://127.0.0.1:${port}/metrics`;
    worker = await startWorkerProcess({
      ...temporalEnv(planes.temporalSettings),
      TESSERA_WORKER_METRICS_PORT: String(port),
      TESSERA_WORKER_METRICS_HOST: '127.0.0.1',
      TESSERA_WORKER_TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${sdkPort}`,
    });
    tid = uniqueTid('metrics');
    issuer = `${planes.dataPlaneUrl}/${tid}`;
    await planes.createTenant({ tid, name: tid, issuer });
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await planes?.close();
  });

  it('the worker serves our activity metrics, the event queue and the Temporal SDK runtime metrics', async () => {
    const text = await fetch(workerMetricsUrl).then((r) => r.text());
    // The tenant was provisioned by this worker: its activities were counted by name and outcome.
    expect(text).toMatch(/^tessera_worker_activities_total\{activity="createHsmToken",outcome="completed"\} [1-9]/m);
    expect(text).toMatch(
      /^tessera_worker_activity_duration_seconds_count\{activity="createInitialKeys",outcome="completed"\} [1-9]/m,
    );
    expect(text).toMatch(/^tessera_event_deliveries\{state="dead_letter"\} \d+/m);
    // The SDK's own (Rust core) exporter, in seconds with _total counters, merged into the same answer.
    await expect
      .poll(() => fetch(workerMetricsUrl).then((r) => r.text()), { timeout: 15_000, interval: 200 })
      .toMatch(/^temporal_\w+_total\{/m);
    expect((await fetch(workerMetricsUrl.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('a real tenant is counted under its id: tokens by grant, cache hits', async () => {
    const { clientId, secret } = (await addClient(planes.s, tid, {
      grant_types: ['client_credentials'],
      scope: 'read',
    })) as { clientId: string; secret: string };
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        },
        body: 'grant_type=client_credentials&scope=read',
      });
      expect(res.status).toBe(200);
    }
    const text = await scrapeDataPlane();
    expect(text).toMatch(
      new RegExp(`^tessera_tokens_issued_total\\{tenant="${tid}",grant_type="client_credentials"\\} 3$`, 'm'),
    );
    expect(text).toMatch(
      new RegExp(
        `^tessera_data_plane_http_requests_total\\{tenant="${tid}",route="[^"]*token",method="POST",status="200"\\} 3$`,
        'm',
      ),
    );
    expect(text).toMatch(/^tessera_cache_requests_total\{cache="tenant",result="hit"\} [1-9]/m);
    expect(text).toMatch(/^tessera_cache_requests_total\{cache="client",result="(hit|miss)"\} [1-9]/m);
    expect(text).toMatch(/^tessera_key_sign_duration_seconds_count\{backend="(software|pkcs11)"\} [1-9]/m);
  });

  it('50 made-up tenant ids and paths create no series on the data plane', async () => {
    const madeUp = Array.from({ length: 50 }, () => `made-up-${randomBytes(6).toString('hex')}`);
    const requests = (id: string) => [
      fetch(`${planes.dataPlaneUrl}/${id}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      }),
      fetch(`${planes.dataPlaneUrl}/${id}/.well-known/openid-configuration`),
      fetch(`${planes.dataPlaneUrl}/token`, {
        method: 'POST',
        headers: { 'tenant-id': id, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      }),
      fetch(`${issuer}/${id}`),
      fetch(`${issuer}/.well-known/${id}`),
    ];
    // Once first: the series of refusals (tenant "-", the route, the status) exist from the first refusal on.
    await Promise.all(requests('warm-up').map((r) => r.then((res) => res.arrayBuffer())));
    await scrapeDataPlane();
    const before = seriesOf(await scrapeDataPlane());
    const statuses = new Set<number>();
    for (const id of madeUp)
      for (const res of await Promise.all(requests(id))) {
        statuses.add(res.status);
        await res.arrayBuffer();
      }
    expect([...statuses].every((s) => s >= 400 && s < 500)).toBe(true);
    const text = await scrapeDataPlane();
    const after = seriesOf(text);
    expect([...after].filter((s) => !before.has(s))).toEqual([]);
    for (const id of madeUp) expect(text).not.toContain(id);
  });

  it('50 made-up tenant ids create no series on the control plane', async () => {
    const madeUp = Array.from({ length: 50 }, () => `made-up-${randomBytes(6).toString('hex')}`);
    const requests = (id: string) => [
      planes.cp.inject({
        method: 'GET',
        url: `/tenants/rest/v1/${id}`,
        headers: { authorization: `Bearer ${planes.s.operatorKey}` },
      }),
      planes.cp.inject({ method: 'GET', url: `/tenants/rest/v1/${id}` }),
      planes.cp.inject({ method: 'GET', url: `/tenants/rest/v1/${id}/nothing-here` }),
    ];
    await Promise.all(requests('warm-up'));
    await scrapeControlPlane();
    const before = seriesOf(await scrapeControlPlane());
    for (const id of madeUp)
      for (const res of await Promise.all(requests(id))) expect(res.statusCode).toBeGreaterThanOrEqual(400);
    const text = await scrapeControlPlane();
    expect([...seriesOf(text)].filter((s) => !before.has(s))).toEqual([]);
    for (const id of madeUp) expect(text).not.toContain(id);
  });
});
