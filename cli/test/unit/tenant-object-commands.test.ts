import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/program.ts';
import { io } from './test-io.ts';

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  body: unknown;
}

/**
 * `tessera admin-tokens|clients|users …` against one stand-in server playing
 * the control plane (operator key `key`) and tenant acme's data plane (issuer
 * `{url}/acme`, integration API token `minted`), recording every request.
 */
describe('admin tokens, clients and users', () => {
  let server: Server;
  let url: string;
  let seen: Seen[] = [];
  const json = (res: import('node:http').ServerResponse, status: number, body?: unknown) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        const body = text ? JSON.parse(text) : undefined;
        seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
        const route = `${req.method} ${req.url}`;
        const dataPlane = req.url!.startsWith('/acme/');
        if (req.headers.authorization !== `Bearer ${dataPlane ? 'minted' : 'key'}`)
          return json(res, 401, { error: 'invalid_token', error_description: 'The token is not valid' });
        switch (route) {
          case 'POST /admin-tokens/rest/v1':
            return json(res, 201, {
              access_token: 'eyJ.admin.jwt',
              token_type: 'Bearer',
              expires_in: body.expires_in,
              tid: body.tid ?? null,
              jti: '0b5c3f3e-1f0a-4c4e-9a43-3d2f2d7a9e10',
            });
          case 'DELETE /admin-tokens/rest/v1/0b5c3f3e-1f0a-4c4e-9a43-3d2f2d7a9e10':
            return json(res, 204);
          case 'GET /tenants/rest/v1/acme':
            return json(res, 200, { tid: 'acme', issuer: `${url}/acme` });
          case 'POST /tenants/rest/v1/acme/api-tokens':
            return json(res, 201, { id: 'tok1', api_token: 'minted' });
          case 'DELETE /tenants/rest/v1/acme/api-tokens/tok1':
            return json(res, 204);
          case 'GET /tenants/rest/v1/acme/clients?limit=100':
            return json(res, 200, {
              clients: [{ client_id: 'a', client_name: 'A', grant_types: ['authorization_code', 'refresh_token'] }],
              next_cursor: 'a',
            });
          case 'GET /tenants/rest/v1/acme/clients?limit=100&after=a':
            return json(res, 200, { clients: [{ client_id: 'b', grant_types: ['client_credentials'] }] });
          case 'POST /acme/clients':
            if (body.client_name === 'bad')
              return json(res, 400, { error: 'invalid_client_metadata', error_description: 'No redirect_uris' });
            return json(res, 201, { client_id: 'new', client_secret: 's3cret', ...body });
          case 'DELETE /acme/clients/c%201':
            return json(res, 204);
          case 'GET /tenants/rest/v1/acme/users?limit=100&username=alice':
            return json(res, 200, { users: [{ sub: 'u1', username: 'alice', claims: {}, created_at: 'then' }] });
          case 'POST /acme/directory/rest/v1/users':
            return json(res, 201, { sub: body.sub ?? 'generated', username: body.username, claims: body.claims ?? {} });
          case 'DELETE /acme/directory/rest/v1/users/u%2F1':
            return json(res, 204);
          default:
            return json(res, 404, { error: 'not_found', error_description: `No ${route}` });
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    seen = [];
  });
  const env = (more: NodeJS.ProcessEnv = {}) => ({ TESSERA_URL: url, TESSERA_TOKEN: 'key', ...more });
  const file = (name: string, value: unknown) => {
    const path = join(tmpdir(), `tessera-${process.pid}-${name}`);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };
  /** The temporary API token was minted before the data-plane call and revoked after it. */
  const mintedAndRevokedAround = (dataPlaneCall: string) => {
    const calls = seen.map((s) => `${s.method} ${s.url}`);
    expect(calls).toEqual([
      'GET /tenants/rest/v1/acme',
      'POST /tenants/rest/v1/acme/api-tokens',
      dataPlaneCall,
      'DELETE /tenants/rest/v1/acme/api-tokens/tok1',
    ]);
  };

  it('admin-tokens create: the body, the token once in the table, the revoke hint on stderr; revoke', async () => {
    const t = io(env());
    expect(await run(['admin-tokens', 'create', '--tid', 'acme', '--expires-in', '600'], t.io)).toBe(0);
    expect(seen).toEqual([
      expect.objectContaining({ method: 'POST', url: '/admin-tokens/rest/v1', body: { tid: 'acme', expires_in: 600 } }),
    ]);
    const table = t.out.join('\n');
    expect(table).toMatch(/^jti\s+0b5c3f3e-1f0a-4c4e-9a43-3d2f2d7a9e10$/m);
    expect(table).toMatch(/^tid\s+acme$/m);
    expect(table).toMatch(/^expires_in\s+600$/m);
    expect(table).toMatch(/^token\s+eyJ\.admin\.jwt$/m);
    expect(t.err.join('\n')).toContain('tessera admin-tokens revoke 0b5c3f3e-1f0a-4c4e-9a43-3d2f2d7a9e10');

    const all = io(env());
    expect(await run(['-o', 'json', 'admin-tokens', 'create'], all.io)).toBe(0);
    expect(seen.at(-1)?.body).toEqual({ expires_in: 3600 });
    expect(JSON.parse(all.out.join('\n'))).toMatchObject({ access_token: 'eyJ.admin.jwt', tid: null });

    const revoked = io(env());
    expect(await run(['admin-tokens', 'revoke', '0b5c3f3e-1f0a-4c4e-9a43-3d2f2d7a9e10'], revoked.io)).toBe(0);
    expect(seen.at(-1)).toMatchObject({ method: 'DELETE' });
    expect(revoked.out.join('\n')).toMatch(/^revoked\s+true$/m);
  });

  it('admin-tokens create refuses a lifetime that is not whole seconds before any request (2)', async () => {
    const t = io(env());
    expect(await run(['admin-tokens', 'create', '--expires-in', '1h'], t.io)).toBe(2);
    expect(t.err.join('\n')).toContain('--expires-in must be a whole number of seconds');
    expect(seen).toEqual([]);
  });

  it('clients list follows next_cursor to the last page; get finds one (4 when none)', async () => {
    const t = io(env());
    expect(await run(['clients', 'list', 'acme'], t.io)).toBe(0);
    expect(seen.map((s) => s.url)).toEqual([
      '/tenants/rest/v1/acme/clients?limit=100',
      '/tenants/rest/v1/acme/clients?limit=100&after=a',
    ]);
    const lines = t.out.join('\n').split('\n');
    expect(lines[0]).toMatch(/^CLIENT_ID\s+CLIENT_NAME\s+GRANT_TYPES\s+TOKEN_ENDPOINT_AUTH_METHOD\s+CREATED_AT$/);
    expect(lines[1]).toMatch(/^a\s+A\s+authorization_code,refresh_token$/);
    expect(lines[2]).toMatch(/^b\s+client_credentials$/);

    const got = io(env());
    expect(await run(['-o', 'json', 'clients', 'get', 'acme', 'b'], got.io)).toBe(0);
    expect(JSON.parse(got.out.join('\n'))).toEqual({ client_id: 'b', grant_types: ['client_credentials'] });
    const missing = io(env());
    expect(await run(['clients', 'get', 'acme', 'zz'], missing.io)).toBe(4);
    expect(missing.err.join('\n')).toContain('no client "zz" in tenant acme');
  });

  it('clients register: the file to the data plane with a temporary API token, revoked after; the secret printed', async () => {
    const metadata = { client_name: 'Web', redirect_uris: ['https://app.test/cb'] };
    const t = io(env());
    expect(await run(['-o', 'json', 'clients', 'register', 'acme', '--file', file('web.json', metadata)], t.io)).toBe(
      0,
    );
    mintedAndRevokedAround('POST /acme/clients');
    expect(seen[2]).toMatchObject({ auth: 'Bearer minted', body: metadata });
    expect(JSON.parse(t.out.join('\n'))).toMatchObject({ client_id: 'new', client_secret: 's3cret' });
    expect(t.err.join('\n')).toContain('shown this once');
  });

  it("clients register: the data plane's refusal is exit 1 with its words, and the token is revoked anyway", async () => {
    const t = io(env());
    expect(await run(['clients', 'register', 'acme', '--file', file('bad.json', { client_name: 'bad' })], t.io)).toBe(
      1,
    );
    mintedAndRevokedAround('POST /acme/clients');
    expect(t.err.join('\n')).toContain('400 invalid_client_metadata: No redirect_uris');
    expect(t.out).toEqual([]);
  });

  it('clients register refuses a file that is not an object (1) or cannot be read (2), before any request', async () => {
    expect(await run(['clients', 'register', 'acme', '--file', file('list.json', [])], io(env()).io)).toBe(1);
    const path = join(tmpdir(), 'tessera-no-such-metadata.json');
    expect(await run(['clients', 'register', 'acme', '--file', path], io(env()).io)).toBe(2);
    expect(seen).toEqual([]);
  });

  it('clients delete with a given API token: no minting, the id escaped in the path', async () => {
    const t = io(env({ TESSERA_API_TOKEN: 'minted' }));
    expect(await run(['clients', 'delete', 'acme', 'c 1'], t.io)).toBe(0);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /tenants/rest/v1/acme',
      'DELETE /acme/clients/c%201',
    ]);
    expect(t.out.join('\n')).toMatch(/^deleted\s+true$/m);
  });

  it('a data-plane 401 (a wrong --api-token) is exit 3 and points at the API token', async () => {
    const t = io(env());
    expect(await run(['clients', 'delete', 'acme', 'c 1', '--api-token', 'wrong'], t.io)).toBe(3);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /tenants/rest/v1/acme',
      'DELETE /acme/clients/c%201',
    ]);
    expect(t.err.join('\n')).toContain(
      '401 invalid_token: The token is not valid (check --api-token or TESSERA_API_TOKEN)',
    );
  });

  it('users list passes --username; table of sub, username, created_at', async () => {
    const t = io(env());
    expect(await run(['users', 'list', 'acme', '--username', 'alice'], t.io)).toBe(0);
    expect(seen.map((s) => s.url)).toEqual(['/tenants/rest/v1/acme/users?limit=100&username=alice']);
    expect(t.out.join('\n')).toMatch(/^u1\s+alice\s+then$/m);
  });

  it('users create wants the password from stdin or TESSERA_USER_PASSWORD, never argv', async () => {
    const none = io(env());
    expect(await run(['users', 'create', 'acme', '--username', 'bob'], none.io)).toBe(2);
    expect(none.err.join('\n')).toContain('--password-stdin, or set TESSERA_USER_PASSWORD');
    expect(await run(['users', 'create', 'acme', '--username', 'bob', '--password', 'x'], io(env()).io)).toBe(2);
    expect(seen).toEqual([]);

    const claims = file('claims.json', { name: 'Bob', email: 'bob@example.com' });
    const piped = io(env(), 'correct horse battery\n');
    const args = ['-o', 'json', 'users', 'create', 'acme', '--username', 'bob', '--sub', 'b1', '--claims-file', claims];
    expect(await run([...args, '--password-stdin'], piped.io)).toBe(0);
    mintedAndRevokedAround('POST /acme/directory/rest/v1/users');
    expect(seen[2]?.body).toEqual({
      username: 'bob',
      password: 'correct horse battery',
      sub: 'b1',
      claims: { name: 'Bob', email: 'bob@example.com' },
    });
    expect(JSON.parse(piped.out.join('\n'))).toEqual({
      sub: 'b1',
      username: 'bob',
      claims: { name: 'Bob', email: 'bob@example.com' },
    });

    seen = [];
    expect(
      await run(
        ['users', 'create', 'acme', '--username', 'carol'],
        io(env({ TESSERA_USER_PASSWORD: 'from-env-1' })).io,
      ),
    ).toBe(0);
    expect(seen[2]?.body).toEqual({ username: 'carol', password: 'from-env-1' });
  });

  it('users delete: the data plane, the sub escaped; a missing user is 4', async () => {
    const t = io(env());
    expect(await run(['users', 'delete', 'acme', 'u/1'], t.io)).toBe(0);
    mintedAndRevokedAround('DELETE /acme/directory/rest/v1/users/u%2F1');
    const missing = io(env());
    expect(await run(['users', 'delete', 'acme', 'nobody'], missing.io)).toBe(4);
    expect(missing.err.join('\n')).toContain('404 not_found');
  });
});
