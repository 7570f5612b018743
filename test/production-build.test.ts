import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dropDatabase } from '@tessera/shared/db/migrate';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_PLANE_NODE_FLAGS } from '../infra/build/node-flags.ts';
import { eventually, requireTestRun, uniqueTid } from './support/env.ts';
import { freePort, ROOT } from './support/processes.ts';
import { temporalEnv, testTemporalSettings } from './support/temporal.ts';

/**
 * The acceptance run of the production build: `npm run build`'s code (into a
 * directory of this run, so concurrent runs never share a dist/), laid out as
 * in the image (`<root>/dist`, `<root>/infra/docker/entrypoint.sh`), then the
 * entry point script's roles as child processes with plain node (no tsx):
 * `migrate --create-database` on a fresh database, `data-plane`,
 * `control-plane`, `worker`. A tenant is created through the control plane's
 * API, provisioned by the compiled worker with the prebuilt workflow bundle,
 * and a client of it gets a token from the compiled data plane.
 */
describe('the compiled build runs from the entry point script and provisions a tenant', () => {
  requireTestRun();
  const runId = process.env.TESSERA_TEST_RUN_ID!;
  const root = join(ROOT, '.cache', `build-test-${runId}-${process.pid}`);
  const databaseUrl = (() => {
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `${url.pathname}_build_${process.pid}`;
    return url.toString();
  })();
  const children: ChildProcess[] = [];
  const outputs = new Map<string, () => string>();
  let dataPlaneUrl = '';
  let controlPlaneUrl = '';
  let workerOutput: () => string = () => '';

  /** `<root>/infra/docker/entrypoint.sh <role>`, its output kept for failure messages. */
  function role(name: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
    const child = spawn(join(root, 'infra/docker/entrypoint.sh'), [name, ...args], {
      // The image's environment (Dockerfile ENV) where the test run has none of its own.
      env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    outputs.set(name, () => output);
    return { child, output: () => output };
  }

  const exited = (child: ChildProcess) =>
    new Promise<number>((resolve) =>
      child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code ?? 1)),
    );

  async function healthy(url: string, child: ChildProcess, name: string): Promise<void> {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}): ${outputs.get(name)?.()}`);
        return fetch(`${url}/monitor/v1/healthcheck`).then(
          (r) => r.status,
          () => 0,
        );
      },
      (status) => status === 200,
      30_000,
    ).catch((err: unknown) => {
      throw new Error(`${name} at ${url}: ${String(err)}; output: ${outputs.get(name)?.()}`);
    });
  }

  beforeAll(async () => {
    // The build, as `npm run build` runs it (infra/build/build.ts), into this run's tree.
    mkdirSync(join(root, 'infra/docker'), { recursive: true });
    copyFileSync(join(ROOT, 'infra/docker/entrypoint.sh'), join(root, 'infra/docker/entrypoint.sh'));
    const build = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'infra/build/build.ts'), '--out-dir', join(root, 'dist')],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let buildOutput = '';
    build.stdout?.on('data', (d: Buffer) => (buildOutput += d.toString()));
    build.stderr?.on('data', (d: Buffer) => (buildOutput += d.toString()));
    expect(await exited(build), buildOutput).toBe(0);

    const base = { DATABASE_URL: databaseUrl, REDIS_PREFIX: `${process.env.REDIS_PREFIX}build-${process.pid}:` };
    const migrate = role('migrate', ['--create-database'], base);
    expect(await exited(migrate.child), migrate.output()).toBe(0);
    expect(migrate.output()).toContain('"migrate":"done"');

    const dataPlanePort = await freePort();
    const controlPlanePort = await freePort();
    dataPlaneUrl = `http://127.0.0.1:${dataPlanePort}`;
    controlPlaneUrl = `http://127.0.0.1:${controlPlanePort}`;
    const temporal = {
      ...temporalEnv(testTemporalSettings(dataPlaneUrl)),
      // Empty: the entry point's default, the workflow bundle the build made (dist/workflows.js).
      TESSERA_WORKFLOW_BUNDLE: '',
    };
    const dataPlane = role('data-plane', [], { ...base, DATA_PLANE_PORT: String(dataPlanePort) });
    const controlPlane = role('control-plane', [], {
      ...base,
      ...temporal,
      CONTROL_PLANE_PORT: String(controlPlanePort),
    });
    const worker = role('worker', [], { ...base, ...temporal });
    workerOutput = worker.output;
    await Promise.all([
      healthy(dataPlaneUrl, dataPlane.child, 'data-plane'),
      healthy(controlPlaneUrl, controlPlane.child, 'control-plane'),
      eventually(
        () => {
          if (worker.child.exitCode !== null)
            throw new Error(`worker exited (${worker.child.exitCode}): ${worker.output()}`);
          return worker.output().includes('"worker":"ready"');
        },
        (ready) => ready,
        30_000,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}; worker output: ${worker.output()}`);
      }),
    ]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const done = exited(child);
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
        await done;
        clearTimeout(timer);
      }),
    );
    await dropDatabase(databaseUrl).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  it('runs plain node on the compiled files (the script execs node; no tsx loader)', () => {
    const running = children.filter((child) => child.exitCode === null);
    const commandLines = running.map((child) =>
      readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean),
    );
    expect(commandLines.map((argv) => argv.slice(1))).toEqual(
      ['data-plane', 'control-plane', 'worker'].map((name) => [
        '--enable-source-maps',
        ...(name === 'data-plane' ? DATA_PLANE_NODE_FLAGS : []),
        `dist/${name}.js`,
      ]),
    );
    // From the root the script lives in (the image's /app), so dist/ is the build's.
    for (const child of running) expect(readlinkSync(`/proc/${child.pid}/cwd`)).toBe(root);
    for (const argv of commandLines) expect(argv.join(' ')).not.toContain('tsx');
  });

  it('provisions a tenant through the control plane and issues a token on the data plane', async () => {
    const tid = uniqueTid('build');
    const issuer = `${dataPlaneUrl}/${tid}`;
    const operator = {
      authorization: `Bearer ${process.env.TESSERA_OPERATOR_KEY}`,
      'content-type': 'application/json',
    };
    const created = await fetch(`${controlPlaneUrl}/tenants/rest/v1`, {
      method: 'POST',
      headers: operator,
      body: JSON.stringify({ tid, name: 'Production build', issuer }),
    });
    expect(created.status, await created.clone().text()).toBe(202);
    await expect
      .poll(
        async () => {
          const res = await fetch(`${controlPlaneUrl}/tenants/rest/v1/${tid}`, { headers: operator });
          return ((await res.json()) as { status?: string }).status;
        },
        { timeout: 45_000, interval: 200, message: `worker output: ${workerOutput()}` },
      )
      .toBe('active');

    // An integration API token from the control plane registers a client on the data plane.
    const apiToken = await fetch(`${controlPlaneUrl}/tenants/rest/v1/${tid}/api-tokens`, {
      method: 'POST',
      headers: operator,
      body: JSON.stringify({ label: 'build test' }),
    });
    expect(apiToken.status).toBe(201);
    const { api_token } = (await apiToken.json()) as { api_token: string };
    const client = await fetch(`${issuer}/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Build test service',
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_basic',
      }),
    });
    expect(client.status, await client.clone().text()).toBe(201);
    const { client_id, client_secret } = (await client.json()) as { client_id: string; client_secret: string };

    const token = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(client_id)}:${encodeURIComponent(client_secret)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(token.status, await token.clone().text()).toBe(200);
    const body = (await token.json()) as { access_token: string; token_type: string };
    expect(body.token_type).toBe('Bearer');
    // Signed with a key the compiled worker provisioned, published by the compiled data plane.
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
      jwks_uri: string;
    };
    const { payload } = await jwtVerify(body.access_token, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer,
    });
    expect(payload.client_id ?? payload.azp ?? payload.sub).toBe(client_id);
  }, 60_000);

  it('re-seals with the compiled reseal role: what the compiled processes sealed is already under the current key', async () => {
    const base = { DATABASE_URL: databaseUrl, REDIS_PREFIX: `${process.env.REDIS_PREFIX}build-${process.pid}:` };
    const reseal = role('reseal', ['--batch-size=2'], base);
    expect(await exited(reseal.child), reseal.output()).toBe(0);
    const report = JSON.parse(reseal.output()) as {
      reseal: string;
      tables: Record<string, { resealed: number; current: number; unreadable: number }>;
    };
    expect(report.reseal).toBe('done');
    // The tenant provisioned above: its secrets and private keys, each already sealed under the run's key.
    expect(report.tables.tenant_secrets!.current).toBeGreaterThanOrEqual(4);
    expect(report.tables.tenant_keys!.current + report.tables.tenant_hsm_tokens!.current).toBeGreaterThan(0);
    for (const counts of Object.values(report.tables)) expect(counts.resealed + counts.unreadable).toBe(0);
  }, 30_000);
});
