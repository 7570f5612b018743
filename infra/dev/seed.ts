import { randomBytes } from 'node:crypto';
import { issueApiToken } from '@tessera/control-plane/tenants/tenant-writer';
import { createDb } from '@tessera/shared/db/database';
import { sha256Hex } from '@tessera/shared/http/api-token';
import { setUpConsole } from '../../cli/src/console-setup.ts';

export interface DemoSeed {
  tid: string;
  issuer: string;
  apiToken: string;
}

/**
 * Make sure the demo tenant exists (created through the control plane API,
 * as a user would) and that we hold a working integration API token for it.
 */
export async function seedDemoTenant(options: {
  controlPlaneUrl: string;
  operatorKey: string;
  databaseUrl: string;
  issuer: string;
  knownApiToken?: string;
}): Promise<DemoSeed> {
  const headers = { authorization: `Bearer ${options.operatorKey}`, 'content-type': 'application/json' };
  const found = await fetch(`${options.controlPlaneUrl}/tenants/rest/v1/demo`, { headers });
  if (found.status === 404) {
    // ?wait=true: answered once provisionTenant has made it active (201).
    const created = await fetch(`${options.controlPlaneUrl}/tenants/rest/v1?wait=true`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ tid: 'demo', name: 'Demo tenant', issuer: options.issuer }),
    });
    if (created.status !== 201)
      throw new Error(`creating the demo tenant failed: ${created.status} ${await created.text()}`);
    const body = (await created.json()) as { api_token: string };
    return { tid: 'demo', issuer: options.issuer, apiToken: body.api_token };
  }
  if (!found.ok) throw new Error(`reading the demo tenant failed: ${found.status} ${await found.text()}`);
  const tenant = (await found.json()) as { issuer: string };
  // The token is shown once; reuse the one in dev.json if it is still on file, else mint another.
  const db = createDb(options.databaseUrl, { max: 1 });
  try {
    if (options.knownApiToken) {
      const row = await db
        .selectFrom('tenant_api_tokens')
        .select('id')
        .where('tid', '=', 'demo')
        .where('token_sha256', '=', sha256Hex(options.knownApiToken))
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (row) return { tid: 'demo', issuer: tenant.issuer, apiToken: options.knownApiToken };
    }
    const { token } = await issueApiToken(db, 'demo', 'dev');
    return { tid: 'demo', issuer: tenant.issuer, apiToken: token };
  } finally {
    await db.destroy();
  }
}

export interface DemoClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

/**
 * Make sure the demo client exists, registered through the tenant's
 * `/clients` endpoint with the tenant API token as master token.
 */
export async function seedDemoClient(options: { issuer: string; apiToken: string }): Promise<DemoClient> {
  const headers = { authorization: `Bearer ${options.apiToken}`, 'content-type': 'application/json' };
  const clientId = 'demo-client';
  const existing = await fetch(`${options.issuer}/clients/${clientId}`, { headers });
  let body: DemoClient;
  if (existing.status === 404) {
    const created = await fetch(`${options.issuer}/clients`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        preferred_client_id: clientId,
        client_name: 'Tessera demo client',
        redirect_uris: ['http://localhost:3000/callback'],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'openid email profile read write',
      }),
    });
    if (created.status !== 201)
      throw new Error(`registering the demo client failed: ${created.status} ${await created.text()}`);
    body = (await created.json()) as DemoClient;
  } else if (existing.ok) {
    body = (await existing.json()) as DemoClient;
  } else {
    throw new Error(`reading the demo client failed: ${existing.status} ${await existing.text()}`);
  }
  return { client_id: body.client_id, client_secret: body.client_secret, redirect_uris: body.redirect_uris };
}

export interface DemoUser {
  username: string;
  sub: string;
  password: string;
}

/**
 * Make sure the demo user `alice` (subject `alice`) is in the demo tenant's
 * directory, through `/directory/rest/v1/users` with the tenant API token.
 * The password is random, kept from one run to the next through dev.json
 * (the directory only has its hash, so it is set again each time).
 */
export async function seedDemoUser(options: {
  issuer: string;
  apiToken: string;
  knownPassword?: string;
}): Promise<DemoUser> {
  const headers = { authorization: `Bearer ${options.apiToken}`, 'content-type': 'application/json' };
  const users = `${options.issuer}/directory/rest/v1/users`;
  const user = { username: 'alice', sub: 'alice' };
  // dev.json's password when there is one (so it keeps working), else a new random one; set either way.
  const password = options.knownPassword ?? randomBytes(12).toString('base64url');
  const existing = await fetch(`${users}/alice`, { headers });
  if (existing.status === 404) {
    const created = await fetch(users, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        ...user,
        password,
        claims: {
          name: 'Alice Liddell',
          given_name: 'Alice',
          family_name: 'Liddell',
          email: 'alice@example.com',
          email_verified: true,
          locale: 'en',
        },
      }),
    });
    if (created.status !== 201)
      throw new Error(`creating the demo user failed: ${created.status} ${await created.text()}`);
    return { ...user, password };
  }
  if (!existing.ok) throw new Error(`reading the demo user failed: ${existing.status} ${await existing.text()}`);
  const patched = await fetch(`${users}/alice`, { method: 'PATCH', headers, body: JSON.stringify({ password }) });
  if (!patched.ok)
    throw new Error(`setting the demo user's password failed: ${patched.status} ${await patched.text()}`);
  return { ...user, password };
}

export interface DevConsole {
  url: string;
  tid: string;
  issuer: string;
  clientId: string;
  audience: string;
  owner: { username: string; sub: string; password: string };
}

/**
 * The admin console, set up as `tessera console setup` does it
 * (cli/src/console-setup.ts): the operator tenant `operators`, its console
 * client, the control plane's resource server and settings, and the owner
 * `owner`. The owner's password is random, kept from one run to the next
 * through dev.json, and set again each time (the directory only has its
 * hash), through a temporary API token revoked after use.
 */
export async function seedConsole(options: {
  controlPlaneUrl: string;
  operatorKey: string;
  issuer: string;
  knownPassword?: string;
}): Promise<DevConsole> {
  const password = options.knownPassword ?? randomBytes(12).toString('base64url');
  const username = 'owner';
  const result = await setUpConsole({
    controlPlaneUrl: options.controlPlaneUrl,
    operatorKey: options.operatorKey,
    issuer: options.issuer,
    tid: 'operators',
    consoleUrl: options.controlPlaneUrl,
    owner: { username, password, name: 'Console owner' },
  });
  const sub = result.ownerSub!;
  const op = { authorization: `Bearer ${options.operatorKey}`, 'content-type': 'application/json' };
  const tokens = `${options.controlPlaneUrl}/tenants/rest/v1/${result.tid}/api-tokens`;
  const minted = await fetch(tokens, { method: 'POST', headers: op, body: JSON.stringify({ label: 'dev-start' }) });
  if (minted.status !== 201) throw new Error(`minting an operators API token failed: ${minted.status}`);
  const { id, api_token } = (await minted.json()) as { id: string; api_token: string };
  try {
    const url = `${result.issuer}/directory/rest/v1/users/${encodeURIComponent(sub)}`;
    const headers = { authorization: `Bearer ${api_token}`, 'content-type': 'application/json' };
    // The data plane takes a new token once the change channel has told it: a 401 until then.
    for (const until = Date.now() + 15_000; ; ) {
      const patched = await fetch(url, { method: 'PATCH', headers, body: JSON.stringify({ password }) });
      if (patched.ok) break;
      if (patched.status !== 401 || Date.now() > until)
        throw new Error(`setting the console owner's password failed: ${patched.status} ${await patched.text()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await fetch(`${tokens}/${id}`, { method: 'DELETE', headers: { authorization: op.authorization } });
  }
  return {
    url: `${options.controlPlaneUrl}/console`,
    tid: result.tid,
    issuer: result.issuer,
    clientId: result.clientId,
    audience: result.audience,
    owner: { username, sub, password },
  };
}
