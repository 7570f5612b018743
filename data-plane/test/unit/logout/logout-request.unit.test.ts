import { CompactEncrypt, CompactSign, importJWK, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { newAuthorization } from '../../../src/grants/new-authorization.ts';
import { parseLogoutRequest } from '../../../src/logout/logout-request.ts';
import type { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import { secretDerivedKey } from '../../../src/tokens/client-jwt.ts';
import { idTokenForAuthorization } from '../../../src/tokens/id-token-issuer.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { type MemoryPlane, memoryPlane } from '../support/memory-plane.ts';

// The end-session request rules (logout/logout-request.ts, logout/id-token-hint.ts) on memoryPlane: the real client
// lookup and the tenant's keys in the in-memory key store, time by the clock.

const BYE = 'https://app.example/bye';
const SECRET = 's3cret-s3cret-s3cret-s3cret-s3cret';

async function setup(config: Record<string, unknown> = {}) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({ ...EC_KEYS, ...config });
  await registerClient(plane, tenant, { secret: SECRET, metadata: { post_logout_redirect_uris: [BYE] } });
  await registerClient(plane, tenant, { clientId: 'other', metadata: { post_logout_redirect_uris: [BYE] } });
  const parse = (params: Record<string, string> | string) =>
    parseLogoutRequest(
      tenant,
      plane.deps,
      typeof params === 'string' ? params : new URLSearchParams(params).toString(),
    );
  return { plane, tenant, parse };
}

/** An ID token the tenant issued to `clientId` under `issuer`. */
async function idToken(plane: MemoryPlane, tenant: TenantContext, clientId = 'app', issuer = tenant.tenant.issuer) {
  const client = (await plane.deps.clients.get(tenant.tenant.tid, clientId))!;
  const authz = newAuthorization(tenant.tenant.config, { sub: 'alice', cid: clientId, scp: ['openid'], iss: issuer });
  return idTokenForAuthorization(tenant, plane.deps, { issuer, client, authz });
}

describe('end-session request rules', () => {
  it('takes a request without parameters: no client, no redirect', async () => {
    const { parse } = await setup();
    expect(await parse('')).toEqual({ ok: true, request: { idTokenHintPresent: false } });
  });

  it('refuses a repeated parameter and an unknown client_id', async () => {
    const { parse } = await setup();
    expect(await parse('client_id=app&client_id=app')).toMatchObject({ ok: false, error: 'invalid_request' });
    expect(await parse(`state=a&state=b&client_id=app&post_logout_redirect_uri=${BYE}`)).toMatchObject({
      ok: false,
      error: 'invalid_request',
      description: 'Repeated parameter: state',
    });
    expect(await parse({ client_id: 'nobody' })).toMatchObject({ ok: false, error: 'invalid_request' });
  });

  it('redirects only to a URI the identified client registered, exactly, with state appended', async () => {
    const { parse } = await setup();
    expect(await parse({ client_id: 'app', post_logout_redirect_uri: BYE, state: 'x y&z' })).toMatchObject({
      ok: true,
      request: { postLogoutRedirectUri: `${BYE}?state=x+y%26z`, client: { clientId: 'app' } },
    });
    for (const uri of [`${BYE}/`, `${BYE}?a=1`, 'https://evil.example/bye', BYE.toUpperCase()])
      expect(await parse({ client_id: 'app', post_logout_redirect_uri: uri })).toMatchObject({
        ok: false,
        error: 'invalid_request',
      });
    // Without a client there is no list to match against.
    expect(await parse({ post_logout_redirect_uri: BYE })).toMatchObject({ ok: false, error: 'invalid_request' });
  });

  it('takes an expired id_token_hint of this tenant and identifies the client by its audience', async () => {
    const { plane, tenant, parse } = await setup();
    const hint = await idToken(plane, tenant);
    plane.clock.advanceSeconds(30 * 86_400);
    const parsed = await parse({ id_token_hint: hint, post_logout_redirect_uri: BYE, state: 's1' });
    expect(parsed).toMatchObject({
      ok: true,
      request: {
        idTokenHintPresent: true,
        hint: { iss: tenant.tenant.issuer, sub: 'alice', aud: ['app'] },
        client: { clientId: 'app' },
        postLogoutRedirectUri: `${BYE}?state=s1`,
      },
    });
  });

  it('wants client_id among the hint audience, and a hint this tenant signed under one of its issuers', async () => {
    const { plane, tenant, parse } = await setup();
    const hint = await idToken(plane, tenant);
    expect(await parse({ id_token_hint: hint, client_id: 'other' })).toMatchObject({
      ok: false,
      error: 'invalid_id_token_hint',
    });
    // Signed with the tenant's key, but for an issuer that is not the tenant's.
    const foreignIssuer = await idToken(plane, tenant, 'app', 'https://elsewhere.example');
    expect(await parse({ id_token_hint: foreignIssuer })).toMatchObject({ ok: false, error: 'invalid_id_token_hint' });
    // Another tenant's ID token (its own keys): refused here.
    const other = await plane.tenant(EC_KEYS);
    await registerClient(plane, other);
    expect(await parse({ id_token_hint: await idToken(plane, other) })).toMatchObject({
      ok: false,
      error: 'invalid_id_token_hint',
    });
    expect(await parse({ id_token_hint: 'not-a-jwt' })).toMatchObject({ ok: false, error: 'invalid_id_token_hint' });
  });

  it('takes a hint issued under an alias of the tenant', async () => {
    const { plane, tenant } = await setup();
    const alias = 'https://alias.example/op';
    tenant.tenant.aliases.push({ issuer: alias, mode: 'MIGRATION' });
    const hint = await idToken(plane, tenant, 'app', alias);
    expect(await parseLogoutRequest(tenant, plane.deps, `id_token_hint=${hint}`)).toMatchObject({
      ok: true,
      request: { hint: { iss: alias }, client: { clientId: 'app' } },
    });
  });

  it('ignores a hint signed with the client secret (HS256) or not at all: present, but identifying no one', async () => {
    const { parse } = await setup();
    const payload = Buffer.from(JSON.stringify({ iss: 'x', sub: 'alice', aud: 'app' }));
    const hs = await new CompactSign(payload).setProtectedHeader({ alg: 'HS256' }).sign(Buffer.from(SECRET));
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload.toString('base64url')}.`;
    for (const hint of [hs, none]) {
      expect(await parse({ id_token_hint: hint })).toEqual({ ok: true, request: { idTokenHintPresent: true } });
      expect(await parse({ id_token_hint: hint, post_logout_redirect_uri: BYE })).toMatchObject({ ok: false });
    }
  });

  it('opens a hint encrypted to the tenant key, or with dir and the secret of the client_id', async () => {
    const { plane, tenant, parse } = await setup({
      keys: { ...EC_KEYS.keys, encryptionAlgorithms: ['RSA-OAEP-256'] },
    });
    const hint = await idToken(plane, tenant);
    const enc = tenant.keys.find((k) => k.use === 'enc')!;
    const toTenant = await new CompactEncrypt(Buffer.from(hint))
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: enc.kid, cty: 'JWT' })
      .encrypt(await importJWK(enc.jwk as JWK, 'RSA-OAEP-256'));
    expect(await parse({ id_token_hint: toTenant })).toMatchObject({ ok: true, request: { hint: { sub: 'alice' } } });
    const dir = await new CompactEncrypt(Buffer.from(hint))
      .setProtectedHeader({ alg: 'dir', enc: 'A128CBC-HS256', cty: 'JWT' })
      .encrypt(secretDerivedKey(SECRET, 32));
    expect(await parse({ id_token_hint: dir, client_id: 'app' })).toMatchObject({
      ok: true,
      request: { hint: { sub: 'alice' }, client: { clientId: 'app' } },
    });
    // dir without naming the client: no secret to open it with. With another client's secret: does not open.
    expect(await parse({ id_token_hint: dir })).toMatchObject({ ok: false, error: 'invalid_id_token_hint' });
    expect(await parse({ id_token_hint: dir, client_id: 'other' })).toMatchObject({
      ok: false,
      error: 'invalid_id_token_hint',
    });
  });

  it('reads ui_locales and logout_hint', async () => {
    const { parse } = await setup();
    expect(await parse({ ui_locales: 'de  fr-CA', logout_hint: 'alice@example.com' })).toMatchObject({
      ok: true,
      request: { uiLocales: ['de', 'fr-CA'], logoutHint: 'alice@example.com' },
    });
  });
});
