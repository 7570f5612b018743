import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/program.ts';
import { io as testIo } from './test-io.ts';

const io = (env: NodeJS.ProcessEnv = {}) => testIo(env);

describe('command line parsing', () => {
  it('exits 2 for an unknown command, a missing argument or option, or a bad --output', async () => {
    for (const argv of [['bogus'], ['tenants', 'get'], ['tenants', 'create'], ['-o', 'yaml', 'tenants', 'list']]) {
      const t = io();
      expect(await run(argv, t.io)).toBe(2);
      expect(t.err.join('\n')).toMatch(/error:/);
    }
  });

  it('exits 0 for --help and --version', async () => {
    const t = io();
    expect(await run(['--help'], t.io)).toBe(0);
    expect(t.out.join('\n')).toContain('Usage: tessera');
    expect(await run(['--version'], io().io)).toBe(0);
  });

  it('exits 2 for a file it cannot read, and 1 with the problem for one that is not JSON', async () => {
    const env = { TESSERA_URL: 'http://127.0.0.1:9', TESSERA_TOKEN: 't' };
    const missing = io(env);
    expect(await run(['config', 'check', join(tmpdir(), 'no-such-config.json')], missing.io)).toBe(2);
    const bad = join(tmpdir(), `tessera-bad-${process.pid}.json`);
    writeFileSync(bad, '{"tokens":');
    const malformed = io(env);
    expect(await run(['config', 'check', bad], malformed.io)).toBe(1);
    expect(malformed.err.join('\n')).toContain('$:');
  });
});

describe('answers and exit codes', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // A stand-in control plane answering by path, enough to see each status become its exit code.
    server = createServer((req, res) => {
      const auth = req.headers.authorization;
      res.setHeader('content-type', 'application/json');
      if (auth !== 'Bearer good') {
        res.statusCode = 401;
        return res.end(JSON.stringify({ error: 'invalid_token', error_description: 'The token is not valid' }));
      }
      if (req.url === '/tenants/rest/v1/acme') {
        return res.end(JSON.stringify({ tid: 'acme', status: 'active' }));
      }
      if (req.url === '/config/check') {
        res.statusCode = 400;
        return res.end(
          JSON.stringify({
            error: 'invalid_configuration',
            error_description: 'The configuration has 2 problems',
            errors: [
              { path: '$.tokens.accessTokenLifetime', message: 'expected integer' },
              { path: '$.login.primaryColor', message: 'expected a colour' },
            ],
          }),
        );
      }
      if (req.url === '/tenants/rest/v1/boom') {
        res.statusCode = 500;
        return res.end('{}');
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ error: 'tenant_not_found', error_description: 'No such tenant' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('0 and the object as JSON', async () => {
    const t = io({ TESSERA_URL: url, TESSERA_TOKEN: 'good' });
    expect(await run(['-o', 'json', 'tenants', 'get', 'acme'], t.io)).toBe(0);
    expect(JSON.parse(t.out.join('\n'))).toEqual({ tid: 'acme', status: 'active' });
  });

  it('3 with a clear message for a wrong credential', async () => {
    const t = io({ TESSERA_URL: url, TESSERA_TOKEN: 'wrong' });
    expect(await run(['tenants', 'get', 'acme'], t.io)).toBe(3);
    expect(t.err.join('\n')).toContain('authentication failed: 401 invalid_token');
  });

  it('4 for not found, 5 for a server error or an unreachable control plane', async () => {
    expect(await run(['tenants', 'get', 'nope'], io({ TESSERA_URL: url, TESSERA_TOKEN: 'good' }).io)).toBe(4);
    expect(await run(['tenants', 'get', 'boom'], io({ TESSERA_URL: url, TESSERA_TOKEN: 'good' }).io)).toBe(5);
    const down = io({ TESSERA_URL: 'http://127.0.0.1:9', TESSERA_TOKEN: 'good' });
    expect(await run(['tenants', 'get', 'acme'], down.io)).toBe(5);
    expect(down.err.join('\n')).toContain('cannot reach http://127.0.0.1:9');
  });

  it('1 and every problem with its path when a configuration is refused', async () => {
    const file = join(tmpdir(), `tessera-cfg-${process.pid}.json`);
    writeFileSync(file, '{"tokens":{"accessTokenLifetime":"ten"}}');
    const t = io({ TESSERA_URL: url, TESSERA_TOKEN: 'good' });
    expect(await run(['config', 'check', file], t.io)).toBe(1);
    const text = t.err.join('\n');
    expect(text).toContain('$.tokens.accessTokenLifetime: expected integer');
    expect(text).toContain('$.login.primaryColor: expected a colour');
  });
});
