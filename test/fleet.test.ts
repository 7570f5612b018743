import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, openTestServices, requireTestRun, type TestServices, uniqueTid } from './support/env.ts';
import { FleetLoad, type FleetTarget, percentile } from './support/fleet-load.ts';
import { type RunningHaproxy, startHaproxy } from './support/haproxy.ts';
import { hsmTokensOf } from './support/hsm-tokens.ts';
import { freePort, type RunningProcess, startPlane, startWorkerProcess } from './support/processes.ts';
import { temporalEnv, testTemporalSettings } from './support/temporal.ts';
import { tenantRows } from './support/tenant-rows.ts';

/** How long the load runs: 20 s in `npm test`, longer through `npm run test:fleet` (FLEET_SECONDS). */
const SECONDS = Number(process.env.FLEET_SECONDS ?? 20);
/** Tenants created at once while the worker is killed. */
const BURST = 5;
/** The slowest request allowed (p99), generous: `npm test` runs other files on the same two cores. */
const P99_LIMIT_MS = 10_000;
/** How long a process may take to start (or come back): tsx compiles it on a machine other files load too. */
const START_MS = 90_000;
// Nodes serve the load under a plan-less rate (the test is about failures, not quotas) and believe the
// X-Forwarded-For of HAProxy, which reaches them from 127.0.0.1.
// Their warnings and errors (startPlane sets LOG_LEVEL=warn) are printed when a request fails.
const NODE_ENV = { TESSERA_QUOTAS: 'off', TRUSTED_PROXIES: '127.0.0.1' };

/** The last `lines` lines a process wrote, for a failure report. */
const tail = (p: { output(): string }, lines = 40) => p.output().trimEnd().split('\n').slice(-lines).join('\n');

const untilElapsed = (start: number, ms: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, start + ms - performance.now())));

/**
 * A fleet: HAProxy (round robin, no stickiness, readiness checks, retries)
 * in front of three data-plane processes, with the control plane and the
 * Temporal worker as processes of their own. Under a mixed load (client
 * credentials and introspection, discovery, code flows with PKCE through the
 * hosted login), one node is killed with SIGKILL and restarted, and the
 * worker is killed during a burst of provisioning and restarted. Nothing may
 * fail but requests that were in flight on the killed node; every tenant of
 * the burst ends active exactly once; a config change reaches every node in
 * under a second.
 */
describe('a fleet of three data-plane nodes behind HAProxy survives a killed node and a killed worker', () => {
  requireTestRun();
  let s: TestServices;
  const ports: number[] = [];
  const nodes: RunningProcess[] = [];
  /** Every node started, the killed one too, for the failure report. */
  const everyNode: Array<{ name: string; process: RunningProcess }> = [];
  let haproxy: RunningHaproxy;
  let controlPlane: RunningProcess;
  let worker: RunningProcess;
  let temporal: NodeJS.ProcessEnv;
  const held = uniqueTid('fleet-held');
  let tid: string;
  let target: FleetTarget;
  const operator = () => ({
    authorization: `Bearer ${s.operatorKey}`,
    'content-type': 'application/json',
  });

  beforeAll(async () => {
    s = openTestServices();
    for (let i = 0; i < 3; i++) ports.push(await freePort());
    // Whatever started is kept for afterAll to stop, even when a sibling did not.
    const keep = <T>(results: PromiseSettledResult<T>[]): T[] => {
      const failed = results.find((r) => r.status === 'rejected');
      const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      if (failed) {
        void Promise.all(ok.map((p) => (p as RunningProcess).stop()));
        throw failed.reason;
      }
      return ok;
    };
    nodes.push(
      ...keep(
        await Promise.allSettled(
          ports.map((port) => startPlane('data-plane', NODE_ENV, { port, timeoutMs: START_MS })),
        ),
      ),
    );
    for (const [i, process] of nodes.entries()) everyNode.push({ name: `node${i + 1}`, process });
    haproxy = await startHaproxy(ports.map((port, i) => ({ name: `node${i + 1}`, port })));
    // Provisioning smoke-checks the tenant through the load balancer, as a deployment would.
    temporal = temporalEnv(testTemporalSettings(haproxy.url));
    const [cp, w] = keep(
      await Promise.allSettled([
        startPlane('control-plane', temporal, { timeoutMs: START_MS }),
        // The first worker holds one burst tenant's createInitialKeys after its work (a test fault, NODE_ENV=test),
        // so the kill is sure to land mid-provisioning; the other tenants run alongside.
        startWorkerProcess(
          { ...temporal, TESSERA_TEST_FAULTS: `delay:createInitialKeys:${held}:120000` },
          { timeoutMs: START_MS },
        ),
      ]),
    );
    controlPlane = cp!;
    worker = w!;

    tid = uniqueTid('fleet');
    const issuer = `${haproxy.url}/${tid}`;
    const created = await fetch(`${controlPlane.url}/tenants/rest/v1?wait=true`, {
      method: 'POST',
      headers: operator(),
      body: JSON.stringify({
        tid,
        name: 'Fleet',
        issuer,
        config: { grants: { grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] } },
      }),
    });
    const tenant = (await created.json()) as { api_token: string };
    if (created.status !== 201) {
      const why = await s.db.selectFrom('tenants').select('status_reason').where('tid', '=', tid).executeTakeFirst();
      throw new Error(`tenant: ${created.status} ${JSON.stringify(tenant)} ${why?.status_reason}\n${worker.output()}`);
    }
    for (const node of nodes)
      await eventually(
        () => fetch(`${node.url}/.well-known/openid-configuration`, { headers: { 'tenant-id': tid } }),
        (r) => r.status === 200,
        10_000,
      );
    const password = 'pw-fleet-user';
    await new PostgresUserDirectory(s.db).create(tid, { username: 'fleet-user', sub: 'fleet-user', password });
    const register = async (body: object) => {
      const res = await fetch(`${issuer}/clients`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.api_token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = (await res.json()) as { client_id: string; client_secret: string };
      if (res.status !== 201) throw new Error(`client: ${res.status} ${JSON.stringify(answer)}`);
      return { clientId: answer.client_id, secret: answer.client_secret };
    };
    const redirectUri = 'https://app.example.com/callback';
    target = {
      issuer,
      machine: await register({
        client_name: 'Fleet machine',
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_basic',
      }),
      web: {
        ...(await register({
          client_name: 'Fleet web app',
          redirect_uris: [redirectUri],
          grant_types: ['authorization_code'],
          token_endpoint_auth_method: 'client_secret_basic',
          scope: 'openid',
        })),
        redirectUri,
      },
      user: { username: 'fleet-user', password },
    };
  }, 180_000); // five processes and HAProxy start here, on a machine other test files share
  afterAll(async () => {
    // A process killed here (and not yet replaced) has nothing left to stop.
    const alive = [controlPlane, worker, ...nodes].filter((p) => p && p.child.signalCode === null);
    await Promise.all(alive.map((p) => p.stop()));
    await haproxy?.stop();
    await s?.close();
  });

  it(
    'fails no request but those in flight on the killed node, provisions each tenant once, spreads a change in < 1 s',
    async () => {
      const load = new FleetLoad(target);
      const started = performance.now();
      const mark = (what: string) =>
        console.log(`[fleet] ${((performance.now() - started) / 1000).toFixed(1)} s: ${what}`);
      load.start({ tokens: 2, discovery: 1, flows: 2, paceMs: 100 });

      // A node dies mid-load, without a word to anyone, and comes back on its address: killed once
      // several requests are in flight, so some of them are likely on it.
      await untilElapsed(started, SECONDS * 150);
      await load.untilInFlight(3);
      const killed = 1;
      const victim = nodes[killed]!;
      const atKill = load.inFlightNow();
      victim.child.kill('SIGKILL');
      await new Promise((resolve) => (victim.child.signalCode ? resolve(null) : victim.child.once('exit', resolve)));
      mark(`node${killed + 1} killed with ${atKill.requests} requests in flight`);
      const restarting = startPlane('data-plane', NODE_ENV, { port: ports[killed]!, timeoutMs: START_MS }).then(
        (node) => {
          nodes[killed] = node;
          everyNode.push({ name: `node${killed + 1} (restarted)`, process: node });
          return performance.now();
        },
      );

      // Meanwhile a burst of provisioning; the worker dies once the held tenant's keys are made but not reported.
      const burst = [held, ...Array.from({ length: BURST - 1 }, (_, i) => uniqueTid(`fleet-burst${i}`))];
      const accepted = await Promise.all(
        burst.map((b) =>
          fetch(`${controlPlane.url}/tenants/rest/v1`, {
            method: 'POST',
            headers: operator(),
            body: JSON.stringify({ tid: b, name: b, issuer: `${haproxy.url}/${b}` }),
          }).then((r) => r.status),
        ),
      );
      expect(accepted).toEqual(burst.map(() => 202));
      await eventually(
        () => worker.output().includes(`"activity":"createInitialKeys","tid":"${held}"`),
        (announced) => announced,
        30_000,
      );
      const doomed = worker;
      doomed.child.kill('SIGKILL');
      await new Promise((resolve) => (doomed.child.signalCode ? resolve(null) : doomed.child.once('exit', resolve)));
      mark('worker killed during the burst');
      const unfinishedAtWorkerKill = (
        await s.db
          .selectFrom('tenants')
          .select('tid')
          .where('tid', 'in', burst)
          .where('status', '!=', 'active')
          .execute()
      ).length;
      const workerBack = startWorkerProcess(temporal, { timeoutMs: START_MS }).then((w) => {
        worker = w;
      });

      // The restarted node rejoins: HAProxy's checks pass and it serves the load again.
      const restartedAt = await restarting;
      mark(`node${killed + 1} healthy again`);
      await eventually(
        () => load.samples.some((x) => x.node === `node${killed + 1}` && x.started > restartedAt),
        (seen) => seen,
        15_000,
      );

      // A config change reaches each of the three nodes (asked directly, not through HAProxy) in under a second.
      const algs = async (node: RunningProcess) => {
        const res = await fetch(`${node.url}/jwks.json`, { headers: { 'tenant-id': tid } });
        return ((await res.json()) as { keys: Array<{ alg: string }> }).keys.map((k) => k.alg);
      };
      const patched = await fetch(`${controlPlane.url}/tenants/rest/v1/${tid}`, {
        method: 'PATCH',
        headers: operator(),
        body: JSON.stringify({ config: { keys: { signingAlgorithms: ['RS256', 'ES256', 'EdDSA', 'PS256'] } } }),
      });
      expect(patched.status).toBe(200);
      const changedAt = performance.now();
      const delays = await Promise.all(
        nodes.map(async (node) => {
          await eventually(
            () => algs(node),
            (a) => a.includes('PS256'),
            5000,
          );
          return performance.now() - changedAt;
        }),
      );

      mark('config change seen on every node');
      await untilElapsed(started, SECONDS * 1000);
      await load.stop();
      mark('load stopped');
      const loadSeconds = (performance.now() - started) / 1000;
      await workerBack;

      // Every tenant of the burst ends active, with exactly one HSM token and one set of rows.
      await eventually(
        () =>
          s.db
            .selectFrom('tenants')
            .select(['tid', 'status'])
            .where('tid', 'in', burst)
            .where('status', '=', 'active')
            .execute(),
        (rows) => rows.length === BURST,
        90_000,
      );
      const provisioned = await Promise.all(
        burst.map(async (b) => ({ tid: b, hsmTokens: hsmTokensOf(b), rows: await tenantRows(s.db, b) })),
      );

      // The figures.
      const latencies = load.samples.map((x) => x.ended - x.started);
      const failed = load.samples.filter((x) => !x.ok);
      const inFlightAtKill = (x: { started: number; ended: number }) => x.started <= atKill.at && x.ended >= atKill.at;
      const unexplained = failed.filter((x) => !inFlightAtKill(x));
      const brokenFlows = load.flows.filter((f) => !f.ok && !atKill.flows.has(f.id));
      const goodFlows = load.flows.filter((f) => f.ok);
      const movedFlows = goodFlows.filter((f) => f.nodes.size > 1);
      const byNode: Record<string, number> = {};
      for (const x of load.samples) if (x.node) byNode[x.node] = (byNode[x.node] ?? 0) + 1;
      const byKind: Record<string, number> = {};
      for (const x of load.samples) byKind[x.kind] = (byKind[x.kind] ?? 0) + 1;
      const p99 = percentile(latencies, 99);
      const report = {
        seconds: Number(loadSeconds.toFixed(1)),
        requests_sent: load.samples.length,
        requests_failed: failed.length,
        in_flight_at_node_kill: atKill.requests,
        failed_in_flight_at_kill: failed.length - unexplained.length,
        failed_not_in_flight_at_kill: unexplained.length,
        p50_ms: Number(percentile(latencies, 50).toFixed(1)),
        p99_ms: Number(p99.toFixed(1)),
        max_ms: Number(Math.max(...latencies).toFixed(1)),
        by_kind: byKind,
        by_node: byNode,
        code_flows: load.flows.length,
        code_flows_completed: goodFlows.length,
        code_flows_on_several_nodes: movedFlows.length,
        code_flows_failed: load.flows.length - goodFlows.length,
        code_flows_broken_not_at_kill: brokenFlows.length,
        node_restart_ms: Number((restartedAt - atKill.at).toFixed(0)),
        burst_tenants: BURST,
        burst_unfinished_at_worker_kill: unfinishedAtWorkerKill,
        burst_active: provisioned.length,
        config_change_ms: delays.map((d) => Number(d.toFixed(0))),
      };
      console.log(`[fleet] ${JSON.stringify(report, null, 2)}`);
      if (failed.length > 0) {
        console.log(`[fleet] failures:\n${failed.map((x) => `  ${x.kind} ${x.node ?? '-'} ${x.detail}`).join('\n')}`);
        for (const { name, process } of everyNode) console.log(`[fleet] ${name} wrote:\n${tail(process)}`);
        console.log(`[fleet] HAProxy wrote:\n${tail(haproxy)}`);
      }

      expect(load.samples.length).toBeGreaterThan(50);
      expect(unexplained.map((x) => `${x.kind}: ${x.detail}`)).toEqual([]);
      expect(failed.length).toBeLessThanOrEqual(atKill.requests);
      expect(p99).toBeLessThan(P99_LIMIT_MS);
      expect(brokenFlows.map((f) => f.failure)).toEqual([]);
      expect(goodFlows.length).toBeGreaterThan(0);
      // Round robin without stickiness: flows went through several nodes and still completed.
      expect(movedFlows.length).toBeGreaterThan(0);
      expect(Object.keys(byNode).sort()).toEqual(['node1', 'node2', 'node3']);
      for (const delay of delays) expect(delay).toBeLessThan(1000);
      expect(unfinishedAtWorkerKill).toBeGreaterThan(0);
      for (const p of provisioned) {
        expect(p.hsmTokens, p.tid).toBe(1);
        expect(p.rows, p.tid).toMatchObject({
          tenants: 1,
          tenant_configs: 1,
          tenant_keys: 4,
          tenant_hsm_tokens: 1,
          tenant_secrets: 4,
          tenant_api_tokens: 1,
        });
      }
      for (const node of nodes) expect(node.child.exitCode).toBeNull();
    },
    SECONDS * 1000 + 240_000,
  );
});
