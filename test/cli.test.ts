import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** This process's environment without npm's `npm_*` variables (`npm test` sets them; they would steer the child npm). */
const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));

function exec(
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<Ran> {
  const { input, ...execOptions } = options;
  return new Promise((resolve) => {
    const child = execFile(file, args, { ...execOptions, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 99) : 0;
      resolve({ code, stdout, stderr });
    });
    // Standard input as a pipe would give it (a password), then closed: a command reading it never waits.
    child.stdin?.end(input ?? '');
  });
}

/**
 * The CLI as a new user gets it: `npm pack` of the cli workspace, installed
 * from the tarball into an empty prefix, run as `node_modules/.bin/tessera`
 * against a listening control plane (and a real data plane and worker).
 */
describe('tessera CLI, installed from its npm tarball', () => {
  let planes: InProcessPlanes;
  let cpUrl: string;
  let dir: string;
  let bin: string;

  beforeAll(async () => {
    // The migration's progress readings come often enough for a short window.
    process.env.TESSERA_MIGRATION_POLL_MS = '200';
    planes = await startInProcessPlanes({ listen: true });
    cpUrl = await planes.cp.listen({ host: '127.0.0.1', port: 0 });
    dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
    const packed = await exec('npm', ['pack', '-w', 'cli', '--pack-destination', dir, '--silent'], {
      cwd: ROOT,
      env: cleanEnv(),
    });
    expect(packed.code, packed.stderr).toBe(0);
    const tarball = join(dir, packed.stdout.trim().split('\n').pop()!);
    const prefix = join(dir, 'install');
    // No network: the bundle carries commander, so the package has no dependencies to fetch.
    const installed = await exec(
      'npm',
      ['install', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball],
      { cwd: dir, env: cleanEnv() },
    );
    expect(installed.code, installed.stderr).toBe(0);
    bin = join(prefix, 'node_modules', '.bin', 'tessera');
  }, 180_000);
  afterAll(async () => {
    await planes?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: string[], env: Record<string, string> = {}, input?: string) =>
    exec(bin, args, {
      cwd: dir,
      ...(input !== undefined ? { input } : {}),
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        TESSERA_CONFIG: join(dir, 'no-config.json'),
        TESSERA_URL: cpUrl,
        TESSERA_TOKEN: planes.s.operatorKey,
        ...env,
      },
    });
  const file = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };

  it('creates a tenant from a file and waits until it is active; rotates its keys; prints its usage', async () => {
    const tid = uniqueTid('cli');
    const issuer = `${planes.dataPlaneUrl}/${tid}`;
    const created = await cli([
      '-o',
      'json',
      'tenants',
      'create',
      '--config',
      file(`${tid}.json`, { tid, name: tid, issuer }),
    ]);
    expect(created.code, created.stderr).toBe(0);
    const tenant = JSON.parse(created.stdout) as { tid: string; status: string; issuer: string; api_token: string };
    expect(tenant).toMatchObject({ tid, status: 'active', issuer });
    expect(tenant.api_token).toMatch(/^\S{20,}$/);
    expect(created.stderr).toContain(`${tid} is active`);

    const got = await cli(['tenants', 'get', tid]);
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/^status\s+active$/m);

    const before = JSON.parse((await cli(['-o', 'json', 'keys', 'list', tid])).stdout) as { keys: { kid: string }[] };
    expect(before.keys.length).toBeGreaterThan(0);
    const rotated = await cli(['-o', 'json', 'keys', 'rotate', tid]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const after = JSON.parse(rotated.stdout) as { keys: { kid: string; status: string }[] };
    const fresh = after.keys.filter((k) => !before.keys.some((b) => b.kid === k.kid));
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.every((k) => k.status === 'pending')).toBe(true);
    // The API tokens the CLI minted for the key store are revoked again: none of them stays live.
    const tokens = JSON.parse((await cli(['-o', 'json', 'api-tokens', 'list', tid])).stdout) as {
      api_tokens: { label: string; revoked_at: string | null }[];
    };
    const minted = tokens.api_tokens.filter((t) => t.label === 'tessera-cli');
    expect(minted.length).toBe(2);
    expect(minted.every((t) => t.revoked_at !== null)).toBe(true);

    const usage = await cli(['-o', 'json', 'usage', tid]);
    expect(usage.code, usage.stderr).toBe(0);
    expect(JSON.parse(usage.stdout)).toHaveProperty('totals');
  }, 120_000);

  it('starts an issuer migration and watches it to its end', async () => {
    const tid = uniqueTid('climig');
    const issuer = `${planes.dataPlaneUrl}/${tid}`;
    await planes.createTenant({ tid, name: tid, issuer });
    const watched = await cli([
      '-o',
      'json',
      'migrations',
      'start',
      tid,
      '--new-issuer',
      `${issuer}-v2`,
      '--window-seconds',
      '2',
      '--watch',
    ]);
    expect(watched.code, watched.stderr).toBe(0);
    expect(JSON.parse(watched.stdout)).toMatchObject({
      state: 'completed',
      old_issuer: issuer,
      new_issuer: `${issuer}-v2`,
    });
    // Progress lines on stderr while it ran, the last one the end state.
    expect(watched.stderr).toMatch(/old issuer requests: \d+/);
    expect(watched.stderr.trim().split('\n').pop()).toMatch(/^completed/);
    const tenant = JSON.parse((await cli(['-o', 'json', 'tenants', 'get', tid])).stdout) as { issuer: string };
    expect(tenant.issuer).toBe(`${issuer}-v2`);
  }, 120_000);

  it('registers a client from a file and creates a user with the password on stdin; lists, reads and deletes both', async () => {
    const tid = uniqueTid('cliobj');
    await planes.createTenant({ tid, name: tid, issuer: `${planes.dataPlaneUrl}/${tid}` });

    const metadata = {
      client_name: 'CLI web app',
      redirect_uris: ['https://app.example.com/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
    };
    const registered = await cli([
      '-o',
      'json',
      'clients',
      'register',
      tid,
      '--file',
      file(`${tid}-web.json`, metadata),
    ]);
    expect(registered.code, registered.stderr).toBe(0);
    const client = JSON.parse(registered.stdout) as { client_id: string; client_secret?: string; client_name: string };
    expect(client.client_name).toBe('CLI web app');
    expect(client.client_secret).toMatch(/^\S{20,}$/);
    expect(registered.stderr).toContain('shown this once');

    const clients = await cli(['clients', 'list', tid]);
    expect(clients.code, clients.stderr).toBe(0);
    expect(clients.stdout).toMatch(
      /^CLIENT_ID\s+CLIENT_NAME\s+GRANT_TYPES\s+TOKEN_ENDPOINT_AUTH_METHOD\s+CREATED_AT$/m,
    );
    const line = clients.stdout.split('\n').find((l) => l.startsWith(client.client_id));
    expect(line).toMatch(/CLI web app\s+authorization_code,refresh_token\s+client_secret_basic\s+\d{4}-/);
    const got = await cli(['-o', 'json', 'clients', 'get', tid, client.client_id]);
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ client_id: client.client_id, has_secret: true });
    expect(got.stdout).not.toContain(client.client_secret!);

    const password = 'a long test password 1';
    const created = await cli(
      [
        '-o',
        'json',
        'users',
        'create',
        tid,
        '--username',
        'cli.bob',
        '--password-stdin',
        '--claims-file',
        file(`${tid}-bob.json`, { name: 'Bob' }),
      ],
      {},
      `${password}\n`,
    );
    expect(created.code, created.stderr).toBe(0);
    const user = JSON.parse(created.stdout) as { sub: string; username: string; claims: Record<string, unknown> };
    expect(user).toMatchObject({ username: 'cli.bob', claims: { name: 'Bob' } });
    const users = await cli(['-o', 'json', 'users', 'list', tid, '--username', 'cli.bob']);
    expect(users.code, users.stderr).toBe(0);
    expect(JSON.parse(users.stdout)).toEqual([expect.objectContaining({ sub: user.sub, username: 'cli.bob' })]);
    const table = await cli(['users', 'list', tid]);
    expect(table.stdout).toMatch(new RegExp(`^${user.sub}\\s+cli\\.bob\\s+\\d{4}-`, 'm'));
    // No password given: refused before anything is sent.
    const noPassword = await cli(['users', 'create', tid, '--username', 'cli.carol']);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toContain('TESSERA_USER_PASSWORD');

    const userDeleted = await cli(['users', 'delete', tid, user.sub]);
    expect(userDeleted.code, userDeleted.stderr).toBe(0);
    expect(JSON.parse((await cli(['-o', 'json', 'users', 'list', tid, '--username', 'cli.bob'])).stdout)).toEqual([]);
    expect((await cli(['users', 'delete', tid, user.sub])).code).toBe(4);

    const clientDeleted = await cli(['clients', 'delete', tid, client.client_id]);
    expect(clientDeleted.code, clientDeleted.stderr).toBe(0);
    const after = JSON.parse((await cli(['-o', 'json', 'clients', 'list', tid])).stdout) as { client_id: string }[];
    expect(after.some((c) => c.client_id === client.client_id)).toBe(false);
    expect((await cli(['clients', 'get', tid, client.client_id])).code).toBe(4);

    // Every API token the CLI minted for the data plane was revoked after its call.
    const tokens = JSON.parse((await cli(['-o', 'json', 'api-tokens', 'list', tid])).stdout) as {
      api_tokens: { label: string; revoked_at: string | null }[];
    };
    const minted = tokens.api_tokens.filter((t) => t.label === 'tessera-cli');
    expect(minted.length).toBe(5);
    expect(minted.every((t) => t.revoked_at !== null)).toBe(true);
  }, 120_000);

  it('an admin token scoped to a tenant reads that tenant, is refused another (3), and is refused once revoked (3)', async () => {
    const tid = uniqueTid('cliadm');
    const other = uniqueTid('cliadm');
    await Promise.all(
      [tid, other].map((t) => planes.createTenant({ tid: t, name: t, issuer: `${planes.dataPlaneUrl}/${t}` })),
    );
    const minted = await cli(['-o', 'json', 'admin-tokens', 'create', '--tid', tid, '--expires-in', '600']);
    expect(minted.code, minted.stderr).toBe(0);
    const token = JSON.parse(minted.stdout) as { access_token: string; jti: string; tid: string; expires_in: number };
    expect(token).toMatchObject({ tid, expires_in: 600 });
    expect(minted.stderr).toContain(`tessera admin-tokens revoke ${token.jti}`);
    const asToken = { TESSERA_TOKEN: token.access_token };

    const own = await cli(['tenants', 'get', tid], asToken);
    expect(own.code, own.stderr).toBe(0);
    expect(own.stdout).toMatch(new RegExp(`^tid\\s+${tid}$`, 'm'));
    const elsewhere = await cli(['tenants', 'get', other], asToken);
    expect(elsewhere.code).toBe(3);
    expect(elsewhere.stderr).toContain(
      `authentication failed: 403 forbidden: This admin token is scoped to tenant "${tid}"`,
    );

    const revoked = await cli(['admin-tokens', 'revoke', token.jti]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const afterRevoke = await cli(['tenants', 'get', tid], asToken);
    expect(afterRevoke.code).toBe(3);
    expect(afterRevoke.stderr).toContain('authentication failed: 401 invalid_token: The admin token has been revoked');
    expect(afterRevoke.stdout).toBe('');
  }, 120_000);

  it('a wrong credential: a clear message and exit 3', async () => {
    const res = await cli(['tenants', 'list'], { TESSERA_TOKEN: 'not-the-operator-key' });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('authentication failed: 401 invalid_token');
    expect(res.stdout).toBe('');
  });

  it('a bad configuration: every problem with its path, exit 1', async () => {
    const bad = file('bad-config.json', {
      tokens: { accessTokenLifetime: 'ten' },
      grants: { grantTypes: ['magic'] },
      login: { primaryColor: 'blue' },
    });
    const res = await cli(['config', 'check', bad]);
    expect(res.code).toBe(1);
    for (const path of ['$.tokens.accessTokenLifetime', '$.grants.grantTypes[0]', '$.login.primaryColor']) {
      expect(res.stderr).toContain(`  ${path}: `);
    }
    const good = await cli(['config', 'check', file('good-config.json', { tokens: { accessTokenLifetime: 300 } })]);
    expect(good.code, good.stderr).toBe(0);
  });

  it('reads a 0600 profile file and refuses one others can read', async () => {
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ profiles: { ops: { url: cpUrl, token: planes.s.operatorKey } } }));
    chmodSync(config, 0o644);
    const env = { TESSERA_CONFIG: config, TESSERA_URL: '', TESSERA_TOKEN: '' };
    const refused = await cli(['--profile', 'ops', 'tenants', 'list'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`chmod 600 ${config}`);
    chmodSync(config, 0o600);
    const listed = await cli(['--profile', 'ops', '-o', 'json', 'tenants', 'list'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(listed.stdout))).toBe(true);
  });
});
