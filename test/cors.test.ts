import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { basicAuth, directAuthz } from './support/issuer-http.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const SPA = 'http://127.0.0.1:5173';
const ADMIN = 'https://admin.example';
const ELSEWHERE = 'https://evil.example';
const OTHER_TENANTS = 'https://b-app.example';

/**
 * CORS over HTTP (issue 16, Build item 2): preflights and answers of the
 * token, UserInfo, revocation and device endpoints carry Access-Control
 * headers only for an origin a client of the tenant registered
 * (allowed_cors_origins) — on an answer for a known client, only one that
 * client registered — never for an unregistered origin or another tenant's;
 * discovery and JWKS are open to any origin.
 */
describe('CORS for browser apps', () => {
  let planes: InProcessPlanes;
  let issuer: string;
  let issuerB: string;
  let apiToken: string;
  let spa: { clientId: string };
  let admin: { clientId: string; secret: string | null };

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    const tid = uniqueTid('cors');
    const tidB = uniqueTid('cors-b');
    issuer = `${planes.dataPlaneUrl}/${tid}`;
    issuerB = `${planes.dataPlaneUrl}/${tidB}`;
    const grants = {
      grants: {
        grantTypes: [
          'authorization_code',
          'refresh_token',
          'client_credentials',
          'urn:ietf:params:oauth:grant-type:device_code',
        ],
      },
    };
    ({ apiToken } = await planes.createTenant({ tid, name: tid, issuer, config: grants }));
    await planes.createTenant({ tid: tidB, name: tidB, issuer: issuerB, config: grants });
    spa = await addClient(
      planes.s,
      tid,
      {
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: [`${SPA}/callback`],
        scope: 'openid profile',
        allowed_cors_origins: [SPA],
      },
      { secret: null },
    );
    admin = await addClient(planes.s, tid, {
      grant_types: ['client_credentials'],
      scope: 'read',
      allowed_cors_origins: [ADMIN],
    });
    await addClient(planes.s, tidB, { grant_types: ['client_credentials'], allowed_cors_origins: [OTHER_TENANTS] });
  }, 120_000);
  afterAll(async () => planes?.close());

  const preflight = (url: string, origin: string, method = 'POST') =>
    fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': method,
        'access-control-request-headers': 'content-type, dpop',
      },
    });
  const post = (url: string, origin: string, params: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(params),
    });
  const clientCredentials = (origin: string) =>
    post(
      `${issuer}/token`,
      origin,
      { grant_type: 'client_credentials', scope: 'read' },
      { authorization: basicAuth(admin.clientId, admin.secret!) },
    );

  it('answers a preflight from a registered origin on every browser endpoint, not a 404', async () => {
    for (const path of ['/token', '/userinfo', '/token/revoke', '/device-authz']) {
      const res = await preflight(`${issuer}${path}`, SPA);
      expect(res.status, path).toBe(204);
      expect(res.headers.get('access-control-allow-origin'), path).toBe(SPA);
      expect(res.headers.get('access-control-allow-methods'), path).toBe('GET, POST');
      expect(res.headers.get('access-control-allow-headers'), path).toBe('authorization, content-type, dpop');
      expect(Number(res.headers.get('access-control-max-age')), path).toBeGreaterThan(0);
      expect(res.headers.get('access-control-allow-credentials'), path).toBeNull();
      expect(res.headers.get('vary'), path).toMatch(/origin/i);
    }
  });

  it('gives an unregistered origin, or another tenant’s client’s origin, no CORS headers', async () => {
    for (const origin of [ELSEWHERE, OTHER_TENANTS, 'null']) {
      const res = await preflight(`${issuer}/token`, origin);
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin'), origin).toBeNull();
      expect(res.headers.get('access-control-allow-methods'), origin).toBeNull();
    }
    // The other tenant's origin is answered at its own tenant.
    expect((await preflight(`${issuerB}/token`, OTHER_TENANTS)).headers.get('access-control-allow-origin')).toBe(
      OTHER_TENANTS,
    );
    const refused = await clientCredentials(ELSEWHERE);
    expect(refused.status).toBe(200);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a token request from the client’s own origin, exposing the DPoP nonce and challenges', async () => {
    const res = await clientCredentials(ADMIN);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ADMIN);
    expect(res.headers.get('access-control-expose-headers')).toBe('dpop-nonce, www-authenticate');
    expect(res.headers.get('vary')).toMatch(/origin/i);
  });

  it('once the client is known, only its own origins: another client’s registered origin gets nothing', async () => {
    const res = await clientCredentials(SPA);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets a registered origin read a refusal made before any client is identified', async () => {
    const res = await post(`${issuer}/token`, SPA, { grant_type: 'authorization_code', code: 'x' });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(SPA);
  });

  it('answers UserInfo for the token’s client’s origin only', async () => {
    const { access_token } = await directAuthz(issuer, apiToken, {
      sub: 'alice',
      client_id: spa.clientId,
      scope: ['openid'],
    });
    const userinfo = (origin: string) =>
      fetch(`${issuer}/userinfo`, { headers: { origin, authorization: `Bearer ${access_token}` } });
    const own = await userinfo(SPA);
    expect(own.status).toBe(200);
    expect(((await own.json()) as { sub: string }).sub).toBe('alice');
    expect(own.headers.get('access-control-allow-origin')).toBe(SPA);
    const other = await userinfo(ADMIN);
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers revocation for the client’s origin', async () => {
    const res = await post(`${issuer}/token/revoke`, SPA, { token: 'unknown', client_id: spa.clientId });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(SPA);
  });

  it('follows client changes: a client registered or updated through the API is answered at once', async () => {
    const LATE = 'https://late.example';
    expect((await preflight(`${issuer}/token`, LATE)).headers.get('access-control-allow-origin')).toBeNull();
    const registered = await fetch(`${issuer}/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiToken}` },
      body: JSON.stringify({
        token_endpoint_auth_method: 'none',
        redirect_uris: [`${LATE}/cb`],
        allowed_cors_origins: [LATE],
      }),
    });
    expect(registered.status).toBe(201);
    const info = (await registered.json()) as Record<string, unknown>;
    expect(info.allowed_cors_origins).toEqual([LATE]);
    expect((await preflight(`${issuer}/token`, LATE)).headers.get('access-control-allow-origin')).toBe(LATE);
    const { client_id, registration_access_token, registration_client_uri, client_id_issued_at, ...metadata } = info;
    const updated = await fetch(registration_client_uri as string, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${registration_access_token}` },
      body: JSON.stringify({ ...metadata, client_id, allowed_cors_origins: [] }),
    });
    expect(updated.status, await updated.clone().text()).toBe(200);
    expect((await preflight(`${issuer}/token`, LATE)).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps discovery and JWKS open to any origin', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/jwks.json']) {
      const res = await fetch(`${issuer}${path}`, { headers: { origin: ELSEWHERE } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
      const pre = await preflight(`${issuer}${path}`, ELSEWHERE, 'GET');
      expect(pre.status, path).toBe(204);
      expect(pre.headers.get('access-control-allow-origin'), path).toBe('*');
    }
  });

  it('refuses metadata that is not an origin', async () => {
    const res = await fetch(`${issuer}/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiToken}` },
      body: JSON.stringify({ redirect_uris: [`${SPA}/cb`], allowed_cors_origins: [`${SPA}/`] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_client_metadata',
      error_description: `allowed_cors_origins takes origins (scheme://host[:port], no path, query or fragment): write ${SPA} for ${SPA}/`,
    });
  });
});
