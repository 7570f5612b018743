import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleSetupResult, setUpConsole } from '../cli/src/console-setup.ts';
import { eventually, uniqueTid } from './support/env.ts';
import { hostedSignIn } from './support/hosted-sign-in.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

/**
 * `setUpConsole` (cli/src/console-setup.ts) against a listening control
 * plane, a data plane and a worker: the operator tenant (a unique tid, as
 * test files share the database), the console client, the resource server,
 * the console settings (this file's own row, `consoleId`) and the owner; a
 * second run changes nothing.
 */
describe('console setup', () => {
  let planes: InProcessPlanes;
  let cpUrl: string;
  const tid = uniqueTid('ops');
  const consoleId = uniqueTid('console');
  const password = randomBytes(12).toString('base64url');
  let issuer: string;
  let first: ConsoleSetupResult;
  const progress: string[] = [];

  const operator = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: object, token?: string) =>
    planes.cp.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token ?? planes.s.operatorKey}` },
      ...(payload ? { payload } : {}),
    });

  const setUp = () =>
    setUpConsole({
      controlPlaneUrl: cpUrl,
      operatorKey: planes.s.operatorKey,
      issuer,
      tid,
      consoleUrl: cpUrl,
      owner: { username: 'owner', password, name: 'Console Owner' },
      onProgress: (line) => progress.push(line),
    });

  beforeAll(async () => {
    planes = await startInProcessPlanes({ settings: { consoleId } });
    cpUrl = await planes.cp.listen({ host: '127.0.0.1', port: 0 });
    issuer = `${planes.dataPlaneUrl}/${tid}`;
    first = await setUp();
  }, 240_000);
  afterAll(async () => {
    if (first?.ownerSub) await operator('DELETE', `/console/rest/v1/members/${encodeURIComponent(first.ownerSub)}`);
    await planes?.close();
  });

  it('creates the operator tenant, active at the issuer', async () => {
    expect(first.created).toEqual({ tenant: true, client: true, owner: true });
    expect(first.tid).toBe(tid);
    expect(first.audience).toBe(`${cpUrl}/console`);
    const tenant = (await operator('GET', `/tenants/rest/v1/${tid}`)).json() as { status: string; issuer: string };
    expect(tenant).toMatchObject({ status: 'active', issuer });
    expect(progress.some((l) => l.includes('operator tenant'))).toBe(true);
  });

  it('registers the console client with its callback and signed-out URIs', async () => {
    const minted = await operator('POST', `/tenants/rest/v1/${tid}/api-tokens`, { label: 'test' });
    expect(minted.statusCode).toBe(201);
    const token = (minted.json() as { api_token: string }).api_token;
    const client = await eventually(
      async () => {
        const res = await fetch(`${issuer}/clients/${encodeURIComponent(first.clientId)}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      },
      (r) => r.status === 200,
    );
    expect(client.body).toMatchObject({
      client_name: 'Tessera admin console',
      redirect_uris: [`${cpUrl}/console/callback`],
      post_logout_redirect_uris: [`${cpUrl}/console/signed-out`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    // The setup's temporary tokens are revoked: only this test's is live.
    const tokens = (await operator('GET', `/tenants/rest/v1/${tid}/api-tokens`)).json() as {
      api_tokens: { label: string; revoked_at: string | null }[];
    };
    expect(tokens.api_tokens.filter((t) => t.revoked_at === null).map((t) => t.label)).toEqual(['test']);
  });

  it("lets the owner sign in with the console client: the control plane takes the operator tenant's access token", async () => {
    const minted = await operator('POST', `/tenants/rest/v1/${tid}/api-tokens`, { label: 'sign-in' });
    const token = (minted.json() as { id: string; api_token: string }).api_token;
    const client = await eventually(
      async () => {
        const res = await fetch(`${issuer}/clients/${encodeURIComponent(first.clientId)}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return { status: res.status, body: (await res.json()) as { client_secret?: string } };
      },
      (r) => r.status === 200,
    );
    await operator('DELETE', `/tenants/rest/v1/${tid}/api-tokens/${(minted.json() as { id: string }).id}`);
    const flow = await hostedSignIn(planes.dp.app, {
      tid,
      client: { clientId: first.clientId, secret: client.body.client_secret! },
      redirectUri: `${cpUrl}/console/callback`,
      scope: 'openid profile email',
      username: 'owner',
      password,
      params: { resource: first.audience, nonce: 'n-0S6_WzA2Mj' },
    });
    expect(flow.tokens?.statusCode, flow.tokens?.body ?? flow.signIn.body.slice(0, 300)).toBe(200);
    const at = (flow.tokens!.json() as { access_token: string }).access_token;
    const me = await operator('GET', '/console/rest/v1/me', undefined, at);
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json()).toEqual({ kind: 'console', role: 'owner', tid: null, sub: first.ownerSub });
  });

  it('registers the resource server for the audience: RFC 9068 JWTs for the console client only', async () => {
    const res = await operator('GET', `/tenants/rest/v1/${tid}/resource-servers`);
    const servers = (res.json() as { resource_servers: Record<string, unknown>[] }).resource_servers;
    expect(servers.find((s) => s.identifier === first.audience)).toMatchObject({
      name: 'Tessera control plane',
      access_token: { format: 'jwt', profile: 'oauth-1.0' },
      allowed_clients: [first.clientId],
    });
  });

  it('saves the console settings naming the client', async () => {
    const res = await operator('GET', '/console/rest/v1/settings');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ issuer, client_id: first.clientId, audience: first.audience, console_url: cpUrl });
  });

  it('makes the owner a console member with role owner', async () => {
    expect(first.ownerSub).toMatch(/^\S+$/);
    const res = await operator('GET', '/console/rest/v1/members');
    const members = (res.json() as { members: Record<string, unknown>[] }).members;
    expect(members.find((m) => m.sub === first.ownerSub)).toMatchObject({ role: 'owner', label: 'owner', tid: null });
  });

  it('changes nothing when run again', async () => {
    const before = (await operator('GET', '/console/rest/v1/settings')).json();
    const again = await setUp();
    expect(again).toEqual({ ...first, created: { tenant: false, client: false, owner: false } });
    expect((await operator('GET', '/console/rest/v1/settings')).json()).toEqual(before);
    const servers = (
      (await operator('GET', `/tenants/rest/v1/${tid}/resource-servers`)).json() as {
        resource_servers: { identifier: string }[];
      }
    ).resource_servers;
    expect(servers.filter((s) => s.identifier === first.audience)).toHaveLength(1);
  });

  it('refuses a tenant of another issuer with a clear error', async () => {
    await expect(
      setUpConsole({
        controlPlaneUrl: cpUrl,
        operatorKey: planes.s.operatorKey,
        issuer: `${planes.dataPlaneUrl}/elsewhere`,
        tid,
        consoleUrl: cpUrl,
      }),
    ).rejects.toThrow(/operator tenant: the tenant "ops-[0-9a-f]+" exists with the issuer/);
  });

  it('keeps the client but updates its redirect URIs when the console moves', async () => {
    const moved = await setUpConsole({
      controlPlaneUrl: cpUrl,
      operatorKey: planes.s.operatorKey,
      issuer,
      tid,
      consoleUrl: 'https://console.test',
    });
    expect(moved).toMatchObject({ clientId: first.clientId, audience: 'https://console.test/console' });
    expect(moved.created).toEqual({ tenant: false, client: false, owner: false });
    expect((await operator('GET', '/console/rest/v1/settings')).json()).toEqual({
      issuer,
      client_id: first.clientId,
      audience: 'https://console.test/console',
      console_url: 'https://console.test',
    });
    const minted = await operator('POST', `/tenants/rest/v1/${tid}/api-tokens`, { label: 'moved' });
    const { id, api_token } = minted.json() as { id: string; api_token: string };
    const client = await eventually(
      async () => {
        const res = await fetch(`${issuer}/clients/${encodeURIComponent(first.clientId)}`, {
          headers: { authorization: `Bearer ${api_token}` },
        });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      },
      (r) => r.status === 200,
    );
    await operator('DELETE', `/tenants/rest/v1/${tid}/api-tokens/${id}`);
    expect(client.body).toMatchObject({
      redirect_uris: ['https://console.test/console/callback'],
      post_logout_redirect_uris: ['https://console.test/console/signed-out'],
    });
  });

  it('refuses member changes to an admin JWT, and a tenant-admin without its tenant', async () => {
    const minted = await operator('POST', '/admin-tokens/rest/v1', { expires_in: 300 });
    expect(minted.statusCode).toBe(201);
    const adminJwt = (minted.json() as { access_token: string }).access_token;
    const asAdmin = await operator('PUT', '/console/rest/v1/members/x', { role: 'viewer' }, adminJwt);
    expect(asAdmin.statusCode).toBe(403);
    expect(asAdmin.json()).toMatchObject({ error: 'forbidden' });
    const noTid = await operator('PUT', '/console/rest/v1/members/x', { role: 'tenant-admin' });
    expect(noTid.statusCode).toBe(400);
    expect(noTid.json()).toMatchObject({ error: 'invalid_request' });
  });
});
