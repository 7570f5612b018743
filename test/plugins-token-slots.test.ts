import { fileURLToPath } from 'node:url';
import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import { verifySignature } from '@tessera/shared/plugins/signature';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { eventually, uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { type ReceivedRequest, startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';
import { createWebhookSecret } from './support/webhook-secret.ts';

// Issue 14: two tenants, one with the token-side slots set (its claims source a real HTTPS webhook on loopback,
// the built-in JWT claims codec and introspection composer), one with the defaults. A third tenant's claims source
// is a plugin module (self-hosted: both planes run with TESSERA_PLUGIN_MODULES=allow).

type Who = 'a' | 'b' | 'c';
/** A claims source module with the webhook's contract: `<sub>@<tenant>.module.example`. */
const CLAIMS_MODULE = fileURLToPath(
  new URL('../data-plane/test/unit/plugins/fixtures/claims-module.ts', import.meta.url),
);
const SCOPE = ['openid', 'email', 'profile', 'orders'];

/** The tenant's claims source: what it knows of alice, only the names asked for. */
const HOOK_CLAIMS: Record<string, unknown> = { name: 'Alice Webhook', email: 'alice@hook.example' };
const claimsAnswer = (request: ReceivedRequest) => {
  const { claims } = JSON.parse(request.body) as { claims: string[] };
  return { body: JSON.stringify({ claims: Object.fromEntries(claims.map((n) => [n, HOOK_CLAIMS[n]])) }) };
};

describe('token-side plugin slots (real HTTPS webhook, Postgres, Redis)', () => {
  let planes: InProcessPlanes;
  let receiver: WebhookReceiver;
  let webhookSecret = '';
  const t: Record<Who, { tid: string; issuer: string; apiToken: string; secrets: Record<string, string> }> =
    {} as never;

  const inject = (who: Who, method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: string) =>
    planes.dp.app.inject({ method, url, headers: { 'tenant-id': t[who].tid, ...headers }, payload });
  /** Tokens for alice through the direct authorisation API: `email` at UserInfo, `name` in the ID token. */
  const tokens = async (who: Who) => {
    const res = await inject(
      who,
      'POST',
      '/direct-authz/rest/v2',
      { authorization: `Bearer ${t[who].apiToken}`, 'content-type': 'application/json' },
      JSON.stringify({
        sub_session: { sub: 'alice' },
        client_id: 'app',
        scope: SCOPE,
        claims: ['email', 'id_token:name'],
      }),
    );
    return res;
  };
  const userinfo = (who: Who, accessToken: string) =>
    inject(who, 'GET', '/userinfo', { authorization: `Bearer ${accessToken}` });
  const introspect = (who: Who, clientId: string, token: string) =>
    inject(
      who,
      'POST',
      '/token/introspect',
      {
        authorization: `Basic ${Buffer.from(`${clientId}:${t[who].secrets[clientId]}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      new URLSearchParams({ token }).toString(),
    );
  const verified = async (who: Who, jwt: string) => {
    const keys = (await inject(who, 'GET', '/jwks.json', {})).json() as JSONWebKeySet;
    return (await jwtVerify(jwt, createLocalJWKSet(keys), { issuer: t[who].issuer })).payload;
  };

  beforeAll(async () => {
    planes = await startInProcessPlanes({ settings: { pluginModules: true } });
    receiver = await startWebhookReceiver(claimsAnswer);
    const users = new PostgresUserDirectory(planes.s.db);
    for (const who of ['a', 'b', 'c'] as const) {
      const tid = uniqueTid(`token-slots-${who}`);
      const issuer = `https://${tid}.example.com`;
      const config = {
        introspection: { resourceServers: ['rs-orders', 'rs-all'] },
        ...(who === 'a'
          ? {
              plugins: {
                claimsSource: { type: 'webhook', url: `${receiver.url}/claims`, timeoutMs: 500 },
                jwtClaimsCodec: { type: 'builtin', rename: { cid: 'client_id', scp: 'scope' }, scopeFormat: 'string' },
                introspectionComposer: { type: 'builtin', scopesByResourceServer: { 'rs-orders': ['orders'] } },
              },
            }
          : who === 'c'
            ? { plugins: { claimsSource: { type: 'module', module: CLAIMS_MODULE } } }
            : {}),
      };
      const { apiToken } = await planes.createTenant({ tid, name: tid, issuer, config });
      const secrets: Record<string, string> = {};
      for (const clientId of ['app', 'rs-orders', 'rs-all']) {
        const { secret } = await addClient(
          planes.s,
          tid,
          {
            grant_types: ['authorization_code'],
            redirect_uris: ['https://app.example.com/cb'],
            scope: SCOPE.join(' '),
          },
          { clientId },
        );
        secrets[clientId] = secret!;
      }
      // Both directories know alice; only B's should be read.
      await users.create(tid, {
        username: 'alice',
        sub: 'alice',
        password: 'correct horse battery staple',
        claims: { name: `Alice Directory ${who.toUpperCase()}`, email: `alice@${who}.directory.example` },
      });
      t[who] = { tid, issuer, apiToken, secrets };
    }
    // The webhook secret signs every call; shown once.
    webhookSecret = await createWebhookSecret(planes, t.a.tid);
  }, 120_000);
  afterAll(async () => {
    await receiver?.close();
    await planes?.close();
  });

  it('tenant A: the webhook supplies the ID token and UserInfo claims, signed; the codec renames cid/scp; introspection filters the scope per resource server', async () => {
    // Until this node has the new secret, calls fail closed (temporarily_unavailable): wait for the tokens.
    const issued = await eventually(
      () => tokens('a'),
      (r) => r.statusCode === 200,
      10_000,
    );
    const body = issued.json() as { access_token: string; id_token: string };

    // The ID token's name comes from the webhook, not from A's directory.
    expect(await verified('a', body.id_token)).toMatchObject({ sub: 'alice', name: 'Alice Webhook' });
    const idTokenCall = receiver.requests.at(-1)!;
    expect(idTokenCall.path).toBe('/claims');
    // The documented body: the envelope's slot and tenant, then the slot's payload (docs/plugins/claims-source.md).
    expect(JSON.parse(idTokenCall.body)).toEqual({
      slot: 'claimsSource',
      tenant: t.a.tid,
      sub: 'alice',
      claims: ['name'],
      client_id: 'app',
      scope: SCOPE.join(' '),
    });
    expect(
      verifySignature(
        webhookSecret,
        idTokenCall.body,
        idTokenCall.headers['tessera-signature'] as string,
        Date.now() / 1000,
      ),
    ).toBe(true);
    expect(
      verifySignature(
        'whsec_another',
        idTokenCall.body,
        idTokenCall.headers['tessera-signature'] as string,
        Date.now() / 1000,
      ),
    ).toBe(false);

    // The access token: client_id and a scope string instead of cid and scp.
    const claims = await verified('a', body.access_token);
    expect(claims).toMatchObject({ sub: 'alice', client_id: 'app', scope: SCOPE.join(' ') });
    expect(claims.cid).toBeUndefined();
    expect(claims.scp).toBeUndefined();

    // UserInfo reads the renamed token back and asks the webhook for the scope's claims.
    const info = await userinfo('a', body.access_token);
    expect(info.statusCode, info.body).toBe(200);
    expect(info.json()).toEqual({ sub: 'alice', email: 'alice@hook.example' });
    expect(JSON.parse(receiver.requests.at(-1)!.body)).toMatchObject({
      sub: 'alice',
      claims: ['email'],
      client_id: 'app',
    });

    // Introspection reads it back too; rs-orders sees only its scope, rs-all (not listed) all of it.
    const forOrders = (await introspect('a', 'rs-orders', body.access_token)).json();
    expect(forOrders).toMatchObject({ active: true, sub: 'alice', client_id: 'app', scope: 'orders' });
    const forAll = (await introspect('a', 'rs-all', body.access_token)).json();
    expect(forAll).toMatchObject({ active: true, client_id: 'app', scope: SCOPE.join(' ') });
    expect((await introspect('a', 'rs-orders', 'not-a-token')).json()).toEqual({ active: false });
  });

  it('tenant B with the defaults is unaffected: directory claims, cid/scp, the full scope, no webhook call', async () => {
    const before = receiver.requests.length;
    const issued = await tokens('b');
    expect(issued.statusCode, issued.body).toBe(200);
    const body = issued.json() as { access_token: string; id_token: string };
    expect(await verified('b', body.id_token)).toMatchObject({ sub: 'alice', name: 'Alice Directory B' });
    expect(await verified('b', body.access_token)).toMatchObject({ cid: 'app', scp: SCOPE });
    expect((await userinfo('b', body.access_token)).json()).toEqual({
      sub: 'alice',
      email: 'alice@b.directory.example',
    });
    expect((await introspect('b', 'rs-orders', body.access_token)).json()).toMatchObject({
      active: true,
      client_id: 'app',
      scope: SCOPE.join(' '),
    });
    // A's tokens mean nothing at B.
    const fromA = (await tokens('a')).json() as { access_token: string };
    expect((await introspect('b', 'rs-orders', fromA.access_token)).json()).toEqual({ active: false });
    expect(receiver.requests.length - before).toBe(1); // for A's ID token; nothing for B
  });

  it('a claims source that answers 500 or times out fails closed: the client gets 503 temporarily_unavailable', async () => {
    const issued = (await tokens('a')).json() as { access_token: string };
    receiver.answer(() => ({ status: 500, body: '{"oops":true}' }));
    const failed = await userinfo('a', issued.access_token);
    expect(failed.statusCode).toBe(503);
    expect(failed.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: "The tenant's claims source is unavailable",
    });
    expect(failed.headers['retry-after']).toBeDefined();
    expect(failed.body).not.toContain('oops');

    receiver.answer((request) => ({ ...claimsAnswer(request), delayMs: 1500 }));
    const slow = await userinfo('a', issued.access_token);
    expect(slow.statusCode).toBe(503);
    expect(slow.json()).toMatchObject({ error: 'temporarily_unavailable' });
    // No token either while the claims source is down: the ID token needs it.
    expect((await tokens('a')).statusCode).toBe(503);

    // Tenant B is not touched by A's failing webhook.
    const fromB = (await tokens('b')).json() as { access_token: string };
    expect((await userinfo('b', fromB.access_token)).statusCode).toBe(200);
    receiver.answer(claimsAnswer);
  });

  it('tenant C: a claims source module (TESSERA_PLUGIN_MODULES=allow) supplies its UserInfo and ID token claims, no webhook call', async () => {
    const before = receiver.requests.length;
    const issued = await tokens('c');
    expect(issued.statusCode, issued.body).toBe(200);
    const body = issued.json() as { access_token: string; id_token: string };
    expect(await verified('c', body.id_token)).toMatchObject({ sub: 'alice', name: 'Module claimsSource' });
    expect((await userinfo('c', body.access_token)).json()).toEqual({
      sub: 'alice',
      email: `alice@${t.c.tid}.module.example`,
    });
    expect(receiver.requests.length).toBe(before);
  });
});
