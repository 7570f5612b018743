import type { Authorization } from '@tessera/shared/authz/authorization';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { newAuthorization } from '../../../src/grants/new-authorization.ts';
import { idTokenForAuthorization } from '../../../src/tokens/id-token-issuer.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { answerBody } from '../support/core-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';
import { userinfoAnswer } from '../support/userinfo-answer.ts';

// The claimsSource slot (plugins/claims-sources.ts): UserInfo and ID token claims from the directory by default,
// from a webhook when the tenant says so; the webhook fails closed.

const HOOK = { type: 'webhook', url: 'https://hooks.example.com/claims' };

async function setup(plugins: Record<string, unknown> = {}) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({ ...EC_KEYS, plugins });
  const client = await registerClient(plane, tenant, { clientId: 'app' });
  await plane.ports.users.create(tenant.tenant.tid, {
    username: 'alice',
    password: 'correct horse',
    sub: 'alice',
    claims: { email: 'alice@directory.example', name: 'Alice Directory' },
  });
  const authz = (fields: Partial<Authorization> = {}) =>
    newAuthorization(tenant.tenant.config, {
      sub: 'alice',
      cid: 'app',
      scp: ['openid', 'email'],
      iss: tenant.tenant.issuer,
      ...fields,
    });
  return { plane, tenant, client, authz };
}

describe('claims source slot', () => {
  it('by default reads the built-in directory and calls no webhook', async () => {
    const { plane, tenant, authz } = await setup();
    const answer = await userinfoAnswer(plane, tenant, authz());
    expect(answerBody(answer)).toEqual({ sub: 'alice', email: 'alice@directory.example' });
    expect(plane.webhooks.calls).toHaveLength(0);
  });

  it('a webhook supplies UserInfo claims: asked for the subject, the names, the client and the scope; only the names asked are released', async () => {
    const { plane, tenant, authz } = await setup({ claimsSource: HOOK });
    plane.webhooks.on('claimsSource', () => ({
      claims: { email: 'alice@hook.example', email_verified: true, sub: 'mallory', phone_number: '+1 555' },
    }));
    const answer = await userinfoAnswer(plane, tenant, authz());
    expect(answer.status).toBe(200);
    expect(answerBody(answer)).toEqual({ sub: 'alice', email: 'alice@hook.example', email_verified: true });
    const [call] = plane.webhooks.callsOf('claimsSource');
    expect(call).toMatchObject({
      tid: tenant.tenant.tid,
      url: HOOK.url,
      timeoutMs: 2000,
      idempotent: true,
      payload: { sub: 'alice', claims: ['email', 'email_verified'], client_id: 'app', scope: 'openid email' },
    });
  });

  it('a webhook supplies the consented ID token claims', async () => {
    const { plane, tenant, client, authz } = await setup({ claimsSource: HOOK });
    plane.webhooks.on('claimsSource', (call) =>
      (call.payload.claims as string[]).includes('name') ? { claims: { name: 'Alice Hook' } } : { claims: {} },
    );
    const jwt = await idTokenForAuthorization(tenant, plane.deps, {
      issuer: tenant.tenant.issuer,
      client,
      authz: authz({ clm: ['id_token:name'] }),
    });
    expect(decodeJwt(jwt)).toMatchObject({ sub: 'alice', name: 'Alice Hook' });
    expect(plane.webhooks.callsOf('claimsSource')[0]!.payload).toMatchObject({ claims: ['name'], client_id: 'app' });
  });

  it('an unknown subject ({claims: null}) has no claims but its sub', async () => {
    const { plane, tenant, authz } = await setup({ claimsSource: HOOK });
    plane.webhooks.on('claimsSource', () => ({ claims: null }));
    expect(answerBody(await userinfoAnswer(plane, tenant, authz()))).toEqual({ sub: 'alice' });
  });

  it('fails closed: an unreachable webhook or one answering nonsense is a 503 temporarily_unavailable, never the directory', async () => {
    const { plane, tenant, authz } = await setup({ claimsSource: HOOK });
    const down = await userinfoAnswer(plane, tenant, authz());
    expect(down.status).toBe(503);
    expect(answerBody(down)).toMatchObject({ error: 'temporarily_unavailable' });
    expect(JSON.stringify(answerBody(down))).not.toContain('alice@directory.example');

    plane.webhooks.on('claimsSource', () => ({ claims: ['email'] }));
    const nonsense = await userinfoAnswer(plane, tenant, authz());
    expect(nonsense.status).toBe(503);
    expect(answerBody(nonsense)).toMatchObject({
      error: 'temporarily_unavailable',
      error_description: "The tenant's claims source is unavailable",
    });
  });
});
