import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responseParams, sessionApi } from './support/authz-session.ts';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const INTROSPECTION = 'urn:c2id:introspection_endpoint';
const REDIRECT = 'https://app.example.com/cb';

/**
 * The scope policy (data-plane/src/grants/scope.ts) at the token endpoint,
 * in authorisation requests and at registration: a client gets what it
 * registered, or without a registered scope the tenant's default set;
 * reserved scopes (introspection) only when registered explicitly; never a
 * value outside the tenant's list; and a client cannot widen its own
 * registered scope.
 */
describe('scope policy', () => {
  let planes: InProcessPlanes;
  type Tenant = { tid: string; issuer: string; apiToken: string };
  const t: Record<'open' | 'listed', Tenant> = {} as never;

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    for (const name of ['open', 'listed'] as const) {
      const tid = uniqueTid(`scope-${name}`);
      const issuer = `${planes.dataPlaneUrl}/${tid}`;
      const config =
        name === 'listed'
          ? {
              scopes: {
                supported: ['openid', 'read', 'write', INTROSPECTION],
                defaultClientScope: ['openid', 'read', INTROSPECTION],
              },
            }
          : {};
      const { apiToken } = await planes.createTenant({ tid, name: tid, issuer, config });
      t[name] = { tid, issuer, apiToken };
    }
  }, 60_000);
  afterAll(async () => planes.close());

  const client = async (tenant: Tenant, metadata: Record<string, unknown> = {}) => {
    const { clientId, secret } = await addClient(planes.s, tenant.tid, {
      grant_types: ['client_credentials', 'authorization_code'],
      redirect_uris: [REDIRECT],
      ...metadata,
    });
    return { clientId, secret: secret! };
  };
  const post = async (tenant: Tenant, path: string, params: Record<string, string>, authorization: string) => {
    const res = await fetch(`${tenant.issuer}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
      body: new URLSearchParams(params),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, string> };
  };
  const clientCredentials = (tenant: Tenant, c: { clientId: string; secret: string }, scope?: string) =>
    post(
      tenant,
      '/token',
      { grant_type: 'client_credentials', ...(scope !== undefined ? { scope } : {}) },
      basic(c.clientId, c.secret),
    );
  const authorize = async (tenant: Tenant, clientId: string, scope: string) => {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope,
      state: 's',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    });
    const { status, body } = await sessionApi(tenant.issuer, tenant.apiToken, 'POST', '', { query: query.toString() });
    expect(status).toBe(200);
    return body;
  };

  it('gives a client that registered no scope none, and not the introspection scope nor any other it asks for', async () => {
    const open = t.open;
    const c = await client(open);
    for (const scope of [INTROSPECTION, `${open.issuer}/token/introspect`, 'admin', 'read']) {
      const res = await clientCredentials(open, c, scope);
      expect(res.status, scope).toBe(400);
      expect(res.body.error, scope).toBe('invalid_scope');
    }
    const plain = await clientCredentials(open, c);
    expect(plain.status).toBe(200);
    expect(plain.body.scope).toBeUndefined();

    // Its token opens no introspection of another client's token.
    const other = await client(open, { scope: 'read' });
    const target = (await clientCredentials(open, other, 'read')).body.access_token!;
    const refused = await post(open, '/token/introspect', { token: target }, `Bearer ${plain.body.access_token}`);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('invalid_token');
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('applies the same policy to authorisation requests: the default set passes, the rest is invalid_scope', async () => {
    const { clientId } = await client(t.open);
    for (const scope of [`openid ${INTROSPECTION}`, 'openid admin']) {
      const refused = await authorize(t.open, clientId, scope);
      expect(refused.type, scope).toBe('response');
      expect(responseParams(refused), scope).toMatchObject({ error: 'invalid_scope', state: 's' });
    }
    expect((await authorize(t.open, clientId, 'openid email profile offline_access')).type).toBe('auth');
  });

  it('grants a reserved scope to a client that registered it, whose token then introspects', async () => {
    const reader = await client(t.open, { scope: INTROSPECTION });
    const granted = await clientCredentials(t.open, reader, INTROSPECTION);
    expect(granted.status).toBe(200);
    expect(granted.body.scope).toBe(INTROSPECTION);
    const other = await client(t.open, { scope: 'read' });
    const target = (await clientCredentials(t.open, other, 'read')).body.access_token!;
    const ok = await post(t.open, '/token/introspect', { token: target }, `Bearer ${granted.body.access_token}`);
    expect(ok.body).toMatchObject({ active: true, client_id: other.clientId });
  });

  it('keeps to the tenant’s list and default set; reserved values never come from the default set', async () => {
    const listed = t.listed;
    const bare = await client(listed);
    expect((await clientCredentials(listed, bare, 'read')).body.scope).toBe('read');
    for (const scope of [INTROSPECTION, 'write', 'openid email']) {
      expect((await clientCredentials(listed, bare, scope)).body.error, scope).toBe('invalid_scope');
    }
    const registered = await client(listed, { scope: 'read write admin' });
    expect((await clientCredentials(listed, registered, 'admin')).body.error).toBe('invalid_scope');
    expect((await clientCredentials(listed, registered)).body.scope).toBe('read write');
    const refused = await authorize(listed, bare.clientId, 'openid email');
    expect(responseParams(refused)).toMatchObject({ error: 'invalid_scope' });
  });

  it('lets a client widen its registered scope only with the master token, and registers only values the tenant lists', async () => {
    const call = (tenant: Tenant, method: 'POST' | 'PUT', path: string, token: string, body: unknown) =>
      fetch(`${tenant.issuer}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const base = {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'client_credentials'],
      response_types: ['code'],
    };
    const created = (await (
      await call(t.open, 'POST', '/clients', t.open.apiToken, { ...base, scope: 'read' })
    ).json()) as Record<string, string>;
    const path = `/clients/${created.client_id}`;
    let token = created.registration_access_token!;

    for (const scope of [`read ${INTROSPECTION}`, 'read write']) {
      const widened = await call(t.open, 'PUT', path, token, { ...base, client_id: created.client_id, scope });
      expect(widened.status, scope).toBe(400);
      expect(((await widened.json()) as { error: string }).error).toBe('invalid_client_metadata');
    }
    // Repeating or narrowing it, or adding a value of the default set, needs no master token.
    const kept = await call(t.open, 'PUT', path, token, {
      ...base,
      client_id: created.client_id,
      scope: 'read openid',
    });
    expect(kept.status).toBe(200);
    token = ((await kept.json()) as Record<string, string>).registration_access_token!;
    const byMaster = await call(t.open, 'PUT', path, t.open.apiToken, {
      ...base,
      client_id: created.client_id,
      scope: `read ${INTROSPECTION}`,
    });
    expect(byMaster.status).toBe(200);
    expect(((await byMaster.json()) as Record<string, string>).scope).toBe(`read ${INTROSPECTION}`);

    const unlisted = await call(t.listed, 'POST', '/clients', t.listed.apiToken, { ...base, scope: 'read admin' });
    expect(unlisted.status).toBe(400);
    expect(((await unlisted.json()) as { error: string }).error).toBe('invalid_client_metadata');
  });

  it('advertises the tenant’s scope list in discovery, without reserved values; the OpenID Connect ones otherwise', async () => {
    const metadata = async (tenant: Tenant) =>
      (await (await fetch(`${tenant.issuer}/.well-known/openid-configuration`)).json()) as {
        scopes_supported: string[];
      };
    expect((await metadata(t.listed)).scopes_supported).toEqual(['openid', 'read', 'write']);
    expect((await metadata(t.open)).scopes_supported).toEqual(['openid', 'profile', 'email', 'address', 'phone']);
  });
});
