import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/program.ts';
import { io } from './test-io.ts';

/** `tessera console …` against a stand-in control plane that records what it was asked. */
describe('tessera console', () => {
  let server: Server;
  let url: string;
  const seen: { method: string; url: string; body: unknown }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, body: text ? JSON.parse(text) : undefined });
        res.setHeader('content-type', 'application/json');
        if (req.url === '/console/rest/v1/members' && req.method === 'GET')
          return res.end(JSON.stringify({ members: [{ sub: 's1', role: 'owner', tid: null, label: 'owner' }] }));
        if (req.url === '/console/rest/v1/members/s%202' && req.method === 'PUT')
          return res.end(JSON.stringify({ sub: 's 2', ...(JSON.parse(text) as object) }));
        if (req.url === '/console/rest/v1/members/gone') {
          res.statusCode = 404;
          return res.end(JSON.stringify({ error: 'not_found', error_description: 'No console member "gone"' }));
        }
        // The setup's first call: the operator tenant, refused here to see the step and status in the error.
        res.statusCode = 403;
        res.end(JSON.stringify({ error: 'forbidden', error_description: 'A console viewer may read' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const env = () => ({ TESSERA_URL: url, TESSERA_TOKEN: 'key' });

  it('members list, set (role, tid, label) and remove', async () => {
    const list = io(env());
    expect(await run(['console', 'members', 'list'], list.io)).toBe(0);
    expect(list.out.join('\n')).toMatch(/s1\s+owner/);
    const set = io(env());
    expect(
      await run(
        ['console', 'members', 'set', 's 2', '--role', 'tenant-admin', '--tid', 'acme', '--label', 'A'],
        set.io,
      ),
    ).toBe(0);
    expect(seen.at(-1)).toEqual({
      method: 'PUT',
      url: '/console/rest/v1/members/s%202',
      body: { role: 'tenant-admin', tid: 'acme', label: 'A' },
    });
    const removed = io(env());
    expect(await run(['console', 'members', 'remove', 'gone'], removed.io)).toBe(4);
    expect(removed.err.join('\n')).toContain('No console member "gone"');
  });

  it('refuses an unknown role before any request', async () => {
    const before = seen.length;
    expect(await run(['console', 'members', 'set', 'x', '--role', 'root'], io(env()).io)).toBe(2);
    expect(seen.length).toBe(before);
  });

  it('setup wants the owner password from stdin or the environment, never argv', async () => {
    const args = ['console', 'setup', '--issuer', 'http://id.test/operators', '--console-url', 'http://cp.test'];
    const none = io(env());
    expect(await run([...args, '--owner-username', 'owner'], none.io)).toBe(2);
    expect(none.err.join('\n')).toContain('TESSERA_CONSOLE_OWNER_PASSWORD');
    expect(await run([...args, '--owner-password', 'x'], io(env()).io)).toBe(2);
    // With a password (stdin), it goes to the control plane; its refusal names the step and the status.
    const refused = io(env(), 'a-long-password\n');
    expect(await run([...args, '--owner-username', 'owner', '--owner-password-stdin'], refused.io)).toBe(3);
    expect(refused.err.join('\n')).toContain('console setup, operator tenant: HTTP 403 forbidden');
  });
});
