import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTestRun, uniqueTid } from './support/env.ts';
import { type RunningProcess, startPlane, startWorkerProcess } from './support/processes.ts';
import { temporalEnv, testTemporalSettings } from './support/temporal.ts';

/** Polls `probe` every 10 ms; resolves with the elapsed milliseconds once it returns true. */
async function timeUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if (await probe()) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`not seen within ${timeoutMs} ms`);
}

describe('two data-plane processes follow the control plane without a restart', () => {
  requireTestRun();
  let controlPlane: RunningProcess;
  let nodes: RunningProcess[];
  let worker: RunningProcess;
  const auth = { authorization: `Bearer ${process.env.TESSERA_OPERATOR_KEY}`, 'content-type': 'application/json' };

  beforeAll(async () => {
    nodes = await Promise.all([startPlane('data-plane', {}), startPlane('data-plane', {})]);
    // Provisioning runs on a worker process of its own, smoke-checking the first node.
    const temporal = temporalEnv(testTemporalSettings(nodes[0]!.url));
    [controlPlane, worker] = await Promise.all([startPlane('control-plane', temporal), startWorkerProcess(temporal)]);
  }, 120_000); // four processes start here: a loaded machine may need more than the default hook timeout
  afterAll(async () => {
    await Promise.all([controlPlane, worker, ...nodes].filter(Boolean).map((p) => p.stop()));
  });

  it('serves a new tenant on both nodes, and a config change within 1 s', async () => {
    expect(new Set(nodes.map((n) => n.url)).size).toBe(2);
    const tid = uniqueTid('nodes');
    const issuer = `http://localhost:8080/${tid}`;
    const created = await fetch(`${controlPlane.url}/tenants/rest/v1?wait=true`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ tid, name: 'Two nodes', issuer }),
    });
    expect(created.status).toBe(201);

    // Each node is addressed by its own port; the Tenant-ID header picks the tenant.
    const discovery = (node: RunningProcess) =>
      fetch(`${node.url}/.well-known/openid-configuration`, { headers: { 'tenant-id': tid } });
    for (const node of nodes) {
      await timeUntil(async () => (await discovery(node)).status === 200, 1000);
      expect(((await (await discovery(node)).json()) as { issuer: string }).issuer).toBe(issuer);
    }
    const algs = async (node: RunningProcess) => {
      const res = await fetch(`${node.url}/jwks.json`, { headers: { 'tenant-id': tid } });
      return ((await res.json()) as { keys: Array<{ alg: string }> }).keys.map((k) => k.alg).sort();
    };
    for (const node of nodes) expect(await algs(node)).toEqual(['ES256', 'EdDSA', 'RS256', 'RSA-OAEP-256']);

    const patched = await fetch(`${controlPlane.url}/tenants/rest/v1/${tid}`, {
      method: 'PATCH',
      headers: auth,
      body: JSON.stringify({ config: { keys: { signingAlgorithms: ['RS256', 'ES256', 'EdDSA', 'PS256'] } } }),
    });
    expect(patched.status).toBe(200);
    const delays = await Promise.all(
      nodes.map((node) => timeUntil(async () => (await algs(node)).includes('PS256'), 1000)),
    );
    console.log(`config change visible on the two nodes after ${delays.map((d) => d.toFixed(0)).join(' ms and ')} ms`);
    for (const delay of delays) expect(delay).toBeLessThan(1000);
    for (const node of nodes) expect(node.child.exitCode).toBeNull();
  });
});
